import Foundation
import SigV4

/// Credentials from the container endpoint (ECS task roles, EKS Pod Identity, Greengrass):
/// `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (under http://169.254.170.2) or
/// `AWS_CONTAINER_CREDENTIALS_FULL_URI`, with `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (re-read
/// each time: the platform rotates it) or `AWS_CONTAINER_AUTHORIZATION_TOKEN` as `Authorization`.
package struct ContainerCredentialProvider: CredentialProvider {
    let environment: [String: String]
    /// Where relative URIs point; only tests change it.
    let relativeBase: String
    let http: CredentialHTTPClient
    let attempts: Int

    package init(
        environment: [String: String],
        relativeBase: String = "http://169.254.170.2",
        http: CredentialHTTPClient = CredentialHTTPClient(connectTimeout: .seconds(2), requestTimeout: .seconds(5)),
        attempts: Int = 2
    ) {
        self.environment = environment
        self.relativeBase = relativeBase
        self.http = http
        self.attempts = max(1, attempts)
    }

    package var sourceDescription: String {
        "container endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI)"
    }

    /// The URL to ask, or nil when neither variable is set. A full URI over plain http must
    /// point at this machine or at the container agent's link-local addresses, as the SDKs require.
    package func url() throws -> String? {
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"].flatMap(nonEmpty) {
            return relativeBase + (relative.hasPrefix("/") ? relative : "/" + relative)
        }
        guard let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"].flatMap(nonEmpty) else { return nil }
        let endpoint: Endpoint
        do {
            endpoint = try Endpoint.parse(full, source: "AWS_CONTAINER_CREDENTIALS_FULL_URI")
        } catch {
            throw CredentialError(source: sourceDescription, message: "\(error)")
        }
        if endpoint.scheme == "http" && !Self.allowedPlainHTTPHost(endpoint.host) {
            throw CredentialError(
                source: sourceDescription,
                message: "AWS_CONTAINER_CREDENTIALS_FULL_URI host \(endpoint.host) is not allowed over http: use https, a loopback address, 169.254.170.2, 169.254.170.23 or fd00:ec2::23"
            )
        }
        return full.trimmingCharacters(in: .whitespaces)
    }

    static func allowedPlainHTTPHost(_ host: String) -> Bool {
        let lowered = host.lowercased()
        if ["localhost", "169.254.170.2", "169.254.170.23", "fd00:ec2::23", "::1", "0:0:0:0:0:0:0:1"].contains(lowered) { return true }
        let octets = lowered.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// The Authorization value; the token file wins over the variable. Never quoted in errors.
    func authorization() throws -> String? {
        let token: String?
        if let file = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"].flatMap(nonEmpty) {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw CredentialError(source: sourceDescription, message: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(file) does not exist or cannot be read")
            }
            token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            token = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"].flatMap(nonEmpty)
        }
        if let token, token.contains(where: { $0 == "\r" || $0 == "\n" }) {
            throw CredentialError(source: sourceDescription, message: "the authorization token contains a line break")
        }
        return token
    }

    package func resolve() async throws -> AWSCredentials? {
        guard let url = try url() else { return nil }
        var headers: [(name: String, value: String)] = [("accept", "application/json"), ("user-agent", "appflowd/\(AppFlowClient.version)")]
        if let authorization = try authorization() { headers.append(("authorization", authorization)) }
        var lastProblem = ""
        for _ in 0..<attempts {
            let response: CredentialHTTPClient.Response
            do {
                response = try await http.send(.init(method: .GET, url: url, headers: headers))
            } catch {
                lastProblem = "\(url) did not answer: \(error)"
                continue
            }
            if response.status >= 500 || response.status == 429 {
                lastProblem = "\(url) answered HTTP \(response.status)"
                continue
            }
            return try Self.decode(response, url: url, source: "container endpoint \(url)")
        }
        throw CredentialError(source: sourceDescription, message: lastProblem)
    }

    struct Wire: Decodable {
        var AccessKeyId: String?
        var SecretAccessKey: String?
        var Token: String?
        var Expiration: String?
        var code: String?
        var message: String?
        var Code: String?
        var Message: String?
    }

    /// The SDKs' JSON: `AccessKeyId`, `SecretAccessKey`, `Token`, `Expiration` (ISO 8601).
    /// Shared with instance metadata, which answers in the same shape.
    static func decode(_ response: CredentialHTTPClient.Response, url: String, source: String) throws -> AWSCredentials {
        let wire = try? JSONDecoder().decode(Wire.self, from: Data(response.body))
        guard (200..<300).contains(response.status) else {
            let code = wire?.code ?? wire?.Code ?? "HTTP \(response.status)"
            let message = wire?.message ?? wire?.Message ?? "no message"
            throw CredentialError(source: source, message: "\(url) refused: \(code): \(message) (HTTP \(response.status))")
        }
        guard let wire, let keyId = wire.AccessKeyId.flatMap(nonEmpty), let secret = wire.SecretAccessKey.flatMap(nonEmpty) else {
            throw CredentialError(source: source, message: "\(url) answered without AccessKeyId and SecretAccessKey")
        }
        var expiration: Date?
        if let text = wire.Expiration {
            guard let parsed = parseTimestamp(text) else {
                throw CredentialError(source: source, message: "\(url) answered an Expiration that is not an ISO 8601 time")
            }
            expiration = parsed
        }
        return AWSCredentials(
            signing: SigV4Credentials(accessKeyId: keyId, secretAccessKey: secret, sessionToken: wire.Token.flatMap(nonEmpty)),
            expiration: expiration,
            source: source
        )
    }
}
