import Foundation
import SigV4

/// The two AWS STS calls credential providers need, over the query protocol (form-encoded POST,
/// XML answer): `AssumeRoleWithWebIdentity` (unsigned) and `AssumeRole` (signed with SigV4).
package struct STSClient: Sendable {
    package var endpoint: Endpoint
    /// The region requests are signed for (`us-east-1` for the global endpoint).
    package var signingRegion: String
    package var http: CredentialHTTPClient
    /// The signing clock; the real one outside tests.
    let now: @Sendable () -> Date

    package init(endpoint: Endpoint, signingRegion: String, http: CredentialHTTPClient = CredentialHTTPClient(), now: @escaping @Sendable () -> Date = Date.init) {
        self.endpoint = endpoint
        self.signingRegion = signingRegion
        self.http = http
        self.now = now
    }

    /// STS for a region, as the SDKs pick it: `AWS_ENDPOINT_URL_STS`, then `AWS_ENDPOINT_URL`
    /// (unless `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`), else the regional endpoint
    /// `sts[-fips].REGION.<partition suffix>`; with no region at all, the global `sts.amazonaws.com`.
    package static func forEnvironment(_ environment: [String: String], region: String?) throws -> STSClient {
        let caBundle = environment["AWS_CA_BUNDLE"].flatMap(nonEmpty)
        let http = CredentialHTTPClient(caBundlePath: caBundle)
        let signingRegion = region ?? "us-east-1"
        if environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]?.lowercased() != "true" {
            for name in ["AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL"] {
                if let value = environment[name].flatMap(nonEmpty) {
                    do {
                        return STSClient(endpoint: try Endpoint.parse(value, source: name), signingRegion: signingRegion, http: http)
                    } catch {
                        throw CredentialError(source: "STS endpoint", message: "\(error)")
                    }
                }
            }
        }
        guard let region else {
            return STSClient(endpoint: Endpoint(scheme: "https", host: "sts.amazonaws.com"), signingRegion: signingRegion, http: http)
        }
        let fips = environment["AWS_USE_FIPS_ENDPOINT"]?.lowercased() == "true"
        let host = "\(fips ? "sts-fips" : "sts").\(region).\(EndpointResolver.dnsSuffix(region: region))"
        return STSClient(endpoint: Endpoint(scheme: "https", host: host), signingRegion: signingRegion, http: http)
    }

    package func assumeRoleWithWebIdentity(roleArn: String, sessionName: String, webIdentityToken: String, durationSeconds: Int?) async throws -> AWSCredentials {
        var parameters = [
            ("Action", "AssumeRoleWithWebIdentity"), ("Version", "2011-06-15"),
            ("RoleArn", roleArn), ("RoleSessionName", sessionName), ("WebIdentityToken", webIdentityToken),
        ]
        if let durationSeconds { parameters.append(("DurationSeconds", String(durationSeconds))) }
        let operation = "AssumeRoleWithWebIdentity"
        let answer = try await call(operation: operation, roleArn: roleArn, parameters: parameters, signWith: nil)
        return try Self.credentials(from: answer, operation: operation, roleArn: roleArn, source: "web identity role \(roleArn)")
    }

    package func assumeRole(roleArn: String, sessionName: String, externalId: String?, durationSeconds: Int?, sourceCredentials: SigV4Credentials) async throws -> AWSCredentials {
        var parameters = [("Action", "AssumeRole"), ("Version", "2011-06-15"), ("RoleArn", roleArn), ("RoleSessionName", sessionName)]
        if let externalId { parameters.append(("ExternalId", externalId)) }
        if let durationSeconds { parameters.append(("DurationSeconds", String(durationSeconds))) }
        let answer = try await call(operation: "AssumeRole", roleArn: roleArn, parameters: parameters, signWith: sourceCredentials)
        return try Self.credentials(from: answer, operation: "AssumeRole", roleArn: roleArn, source: "assumed role \(roleArn)")
    }

    func call(operation: String, roleArn: String, parameters: [(String, String)], signWith credentials: SigV4Credentials?) async throws -> CredentialHTTPClient.Response {
        let body = Array(Self.formEncode(parameters).utf8)
        var headers: [(name: String, value: String)] = [
            ("host", endpoint.hostHeader),
            ("content-type", "application/x-www-form-urlencoded; charset=utf-8"),
        ]
        if let credentials {
            let signer = SigV4Signer(credentials: credentials, region: signingRegion, service: "sts")
            let path = endpoint.basePath.isEmpty ? "/" : endpoint.basePath
            headers += signer.sign(SigV4Request(method: "POST", path: path, headers: headers, body: body), date: now())
        }
        headers.append(("user-agent", "appflowd/\(AppFlowClient.version)"))
        let url = endpoint.url(path: endpoint.basePath.isEmpty ? "/" : "")
        do {
            return try await http.send(.init(method: .POST, url: url, headers: headers, body: body))
        } catch {
            let timeout = (error as? CredentialHTTPClient.TransportError)?.kind == .timeout
            throw CredentialError(source: "STS \(operation) for \(roleArn)", message: "\(endpoint) did not answer: \(error)",
                                  code: timeout ? "Timeout" : "ConnectionError", retryable: true)
        }
    }

    /// Reads `<Credentials>` from a success answer, or AWS's `<ErrorResponse>` from a failure.
    static func credentials(from answer: CredentialHTTPClient.Response, operation: String, roleArn: String, source: String) throws -> AWSCredentials {
        let context = "STS \(operation) for \(roleArn)"
        let root: XMLElementNode
        do {
            root = try XMLElementNode.parse(answer.body)
        } catch {
            // A proxy's or load balancer's HTML page in front of a 5xx: worth another attempt.
            throw CredentialError(source: context, message: "HTTP \(answer.status) with an unreadable answer (\(error))",
                                  code: (200..<300).contains(answer.status) ? nil : String(answer.status),
                                  retryable: isRetryable(status: answer.status, code: ""))
        }
        guard (200..<300).contains(answer.status) else {
            let error = root.child("Error")
            let code = error?.child("Code")?.text ?? String(answer.status)
            let message = error?.child("Message")?.text ?? "no message"
            throw CredentialError(source: context, message: "\(code): \(message) (HTTP \(answer.status))", code: code,
                                  retryable: isRetryable(status: answer.status, code: code))
        }
        guard let credentials = root.path("\(operation)Result", "Credentials"),
              let keyId = credentials.child("AccessKeyId")?.text, !keyId.isEmpty,
              let secret = credentials.child("SecretAccessKey")?.text, !secret.isEmpty,
              let token = credentials.child("SessionToken")?.text, !token.isEmpty,
              let expirationText = credentials.child("Expiration")?.text,
              let expiration = parseTimestamp(expirationText)
        else {
            throw CredentialError(source: context, message: "the answer has no complete <Credentials> element")
        }
        return AWSCredentials(
            signing: SigV4Credentials(accessKeyId: keyId, secretAccessKey: secret, sessionToken: token),
            expiration: expiration,
            source: source
        )
    }

    /// STS's transient answers, as the SDKs' standard retry mode reads them: throttling codes,
    /// 429 and 5xx. `AccessDenied`, `ExpiredToken` and the like come back the same every time.
    static func isRetryable(status: Int, code: String) -> Bool {
        let transient: Set<String> = [
            "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException",
            "ServiceUnavailable", "InternalFailure", "InternalError", "RequestTimeout", "IDPCommunicationError",
        ]
        return transient.contains(code) || status == 429 || status >= 500
    }

    /// `application/x-www-form-urlencoded` with RFC 3986 unreserved characters left as they are.
    package static func formEncode(_ parameters: [(String, String)]) -> String {
        parameters.map { "\(percentEncode($0.0))=\(percentEncode($0.1))" }.joined(separator: "&")
    }

    static func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

/// An ISO 8601 timestamp as AWS writes expirations, with or without fractional seconds.
func parseTimestamp(_ text: String) -> Date? {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    if let plain = try? Date(trimmed, strategy: .iso8601) { return plain }
    return try? Date(trimmed, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
