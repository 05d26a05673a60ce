import Foundation
import SigV4
import Synchronization

/// STS, the container credential endpoint and IMDSv2, answering as AWS does, for
/// `CredentialTestServer`. Expirations come from the injected `now`; SigV4 is verified
/// against the real clock, since the client signs with it.
final class FakeCredentialServices: Sendable {
    struct Role: Sendable {
        var externalId: String?
    }

    struct Issued: Sendable {
        var secret: String
        var token: String?
    }

    struct State: Sendable {
        // STS
        var roles: [String: Role] = [:]
        var webIdentityTokens: Set<String> = []
        var keys: [String: Issued] = [:]
        var stsCalls: [[String: String]] = []
        var stsCallers: [String] = []
        var issuedCount = 0
        // Container endpoint
        var containerAuthorization: String?
        var containerFailures = 0
        var containerAuthorizationsSeen: [String] = []
        // IMDS
        var imdsRole: String? = "appflowd-instance-role"
        var imdsTokens: Set<String> = []
        var imdsTokenFailures = 0
        var imdsRequests: [String] = []
        var lifetime: TimeInterval = 3600
    }

    let state = Mutex(State())
    let now: @Sendable () -> Date

    init(now: @escaping @Sendable () -> Date) {
        self.now = now
    }

    func with<T>(_ body: (inout State) -> T) -> T {
        state.withLock { body(&$0) }
    }

    /// Issued secrets hold XML-special characters so the client's entity decoding is tested.
    func issue(_ state: inout State, lifetime: TimeInterval) -> (keyId: String, secret: String, token: String, expiration: String) {
        state.issuedCount += 1
        let n = state.issuedCount
        let keyId = "ASIATESTISSUED\(n)"
        let secret = "issued/secret+&<\(n)>"
        let token = "issued-token-\(n)"
        state.keys[keyId] = Issued(secret: secret, token: token)
        return (keyId, secret, token, now().addingTimeInterval(lifetime).formatted(.iso8601))
    }

    func respond(_ request: TestHTTPRequest) -> TestHTTPResponse {
        if request.path.hasPrefix("/latest/") { return instanceMetadata(request) }
        if request.path.hasPrefix("/container/") && request.method == "GET" { return container(request) }
        if request.method == "POST" && (request.path == "/" || request.path == "/sts") { return sts(request) }
        return .text(404, "not found")
    }

    // MARK: STS

    func sts(_ request: TestHTTPRequest) -> TestHTTPResponse {
        let form = Self.parseForm(String(decoding: request.body, as: UTF8.self))
        with { $0.stsCalls.append(form) }
        guard form["Version"] == "2011-06-15" else { return Self.stsError(400, "InvalidAction", "Could not find operation for version \(form["Version"] ?? "")") }
        guard let roleArn = form["RoleArn"], let session = form["RoleSessionName"], !session.isEmpty else {
            return Self.stsError(400, "ValidationError", "1 validation error detected: RoleArn and RoleSessionName are required")
        }
        let lifetime = TimeInterval(form["DurationSeconds"].flatMap(Int.init) ?? 3600)
        switch form["Action"] {
        case "AssumeRoleWithWebIdentity":
            return with { state in
                guard let token = form["WebIdentityToken"], state.webIdentityTokens.contains(token) else {
                    return Self.stsError(400, "InvalidIdentityToken", "Couldn't retrieve verification key from your identity provider, please reference AssumeRoleWithWebIdentity documentation for requirements")
                }
                guard state.roles[roleArn] != nil else {
                    return Self.stsError(403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")
                }
                state.stsCallers.append("web-identity")
                let issued = issue(&state, lifetime: lifetime)
                return Self.stsSuccess("AssumeRoleWithWebIdentity", roleArn: roleArn, session: session, issued: issued, extra: """
                    <SubjectFromWebIdentityToken>system:serviceaccount:default:appflowd</SubjectFromWebIdentityToken>
                    <Audience>sts.amazonaws.com</Audience>
                    <Provider>arn:aws:iam::123456789012:oidc-provider/oidc.example</Provider>
                    """)
            }
        case "AssumeRole":
            return with { state in
                let keys = state.keys
                let verifier = SigV4Verifier(service: "sts") { keys[$0]?.secret }
                let signed = SigV4Request(method: request.method, path: request.path, query: request.query, headers: request.headers, body: request.body)
                let keyId: String
                switch verifier.verify(signed, now: Date()) {
                case .valid(let accessKeyId):
                    keyId = accessKeyId
                case .failure(let code, let message):
                    return Self.stsError(code == SigV4VerificationResult.incompleteSignature ? 400 : 403, Self.queryCode(code), message)
                }
                if let expected = keys[keyId]?.token, request.header("x-amz-security-token") != expected {
                    return Self.stsError(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
                }
                guard let role = state.roles[roleArn], role.externalId == form["ExternalId"] else {
                    return Self.stsError(403, "AccessDenied", "User: arn:aws:iam::123456789012:user/\(keyId) is not authorized to perform: sts:AssumeRole on resource: \(roleArn)")
                }
                state.stsCallers.append(keyId)
                let issued = issue(&state, lifetime: lifetime)
                return Self.stsSuccess("AssumeRole", roleArn: roleArn, session: session, issued: issued, extra: "<PackedPolicySize>6</PackedPolicySize>")
            }
        default:
            return Self.stsError(400, "InvalidAction", "Could not find operation \(form["Action"] ?? "") for version 2011-06-15")
        }
    }

    /// The query protocol's names for the JSON protocols' signature errors.
    static func queryCode(_ code: String) -> String {
        switch code {
        case SigV4VerificationResult.invalidSignature: return "SignatureDoesNotMatch"
        case SigV4VerificationResult.unrecognizedClient: return "InvalidClientTokenId"
        case SigV4VerificationResult.missingAuthenticationToken: return "MissingAuthenticationToken"
        case SigV4VerificationResult.incompleteSignature: return "IncompleteSignature"
        default: return code
        }
    }

    static func stsSuccess(_ action: String, roleArn: String, session: String, issued: (keyId: String, secret: String, token: String, expiration: String), extra: String) -> TestHTTPResponse {
        let roleName = roleArn.split(separator: "/").last.map(String.init) ?? roleArn
        let xml = """
            <\(action)Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <\(action)Result>
                <AssumedRoleUser>
                  <AssumedRoleId>AROATESTROLE:\(escape(session))</AssumedRoleId>
                  <Arn>arn:aws:sts::123456789012:assumed-role/\(escape(roleName))/\(escape(session))</Arn>
                </AssumedRoleUser>
                <Credentials>
                  <AccessKeyId>\(issued.keyId)</AccessKeyId>
                  <SecretAccessKey>\(escape(issued.secret))</SecretAccessKey>
                  <SessionToken>\(escape(issued.token))</SessionToken>
                  <Expiration>\(issued.expiration)</Expiration>
                </Credentials>
                \(extra)
              </\(action)Result>
              <ResponseMetadata>
                <RequestId>\(UUID().uuidString.lowercased())</RequestId>
              </ResponseMetadata>
            </\(action)Response>
            """
        return .text(200, xml, contentType: "text/xml")
    }

    static func stsError(_ status: Int, _ code: String, _ message: String) -> TestHTTPResponse {
        let xml = """
            <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <Error>
                <Type>Sender</Type>
                <Code>\(code)</Code>
                <Message>\(escape(message))</Message>
              </Error>
              <RequestId>\(UUID().uuidString.lowercased())</RequestId>
            </ErrorResponse>
            """
        return .text(status, xml, contentType: "text/xml")
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "'", with: "&apos;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func parseForm(_ body: String) -> [String: String] {
        var form: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String { text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text) }
            form[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return form
    }

    // MARK: Container endpoint

    func container(_ request: TestHTTPRequest) -> TestHTTPResponse {
        with { state in
            state.containerAuthorizationsSeen.append(request.header("authorization") ?? "")
            if state.containerFailures > 0 {
                state.containerFailures -= 1
                return .text(500, #"{"code":"InternalError","message":"try again"}"#, contentType: "application/json")
            }
            if let expected = state.containerAuthorization, request.header("authorization") != expected {
                return .text(401, #"{"code":"AccessDenied","message":"Unable to validate the authorization token"}"#, contentType: "application/json")
            }
            return credentialsJSON(&state, extraFields: "")
        }
    }

    func credentialsJSON(_ state: inout State, extraFields: String) -> TestHTTPResponse {
        let issued = issue(&state, lifetime: state.lifetime)
        let secret = issued.secret.replacingOccurrences(of: "/", with: "\\/")
        let json = """
            {\(extraFields)"AccessKeyId":"\(issued.keyId)","SecretAccessKey":"\(secret)","Token":"\(issued.token)","Expiration":"\(issued.expiration)"}
            """
        return .text(200, json, contentType: "application/json")
    }

    // MARK: Instance metadata (IMDSv2)

    func instanceMetadata(_ request: TestHTTPRequest) -> TestHTTPResponse {
        with { state in
            state.imdsRequests.append("\(request.method) \(request.path)")
            if request.method == "PUT" {
                if state.imdsTokenFailures > 0 {
                    state.imdsTokenFailures -= 1
                    return .text(503, "")
                }
                guard request.header("x-forwarded-for") == nil else { return .text(403, "") }
                guard let ttl = request.header("x-aws-ec2-metadata-token-ttl-seconds").flatMap(Int.init), (1...21_600).contains(ttl) else {
                    return .text(400, "")
                }
                let token = "imds-token-\(state.imdsTokens.count + 1)"
                state.imdsTokens.insert(token)
                return .text(200, token)
            }
            guard let token = request.header("x-aws-ec2-metadata-token"), state.imdsTokens.contains(token) else {
                return .text(401, "")
            }
            let prefix = "/latest/meta-data/iam/security-credentials/"
            guard request.path.hasPrefix(prefix), let role = state.imdsRole else { return .text(404, "") }
            let rest = String(request.path.dropFirst(prefix.count))
            if rest.isEmpty { return .text(200, role) }
            guard rest == role else { return .text(404, "") }
            let updated = now().formatted(.iso8601)
            return credentialsJSON(&state, extraFields: #""Code":"Success","LastUpdated":"\#(updated)","Type":"AWS-HMAC","#)
        }
    }
}
