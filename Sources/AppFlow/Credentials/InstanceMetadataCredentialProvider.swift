import Foundation

/// The EC2 instance role, from the instance metadata service with IMDSv2: a session token by
/// `PUT /latest/api/token`, the role's name, then its credentials. Outside EC2 the metadata
/// address does not answer: a 1-second connect timeout and no retry on an unreachable address
/// keep that from slowing a start, and the provider reports "not configured".
///
/// `AWS_EC2_METADATA_DISABLED=true` turns it off; `AWS_EC2_METADATA_SERVICE_ENDPOINT` (or
/// `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6`) moves it.
package struct InstanceMetadataCredentialProvider: CredentialProvider {
    let environment: [String: String]
    let http: CredentialHTTPClient
    /// Attempts per request when the service answers 5xx or times out while reading.
    let attempts: Int
    static let tokenTTLSeconds = 21_600
    static let credentialsPath = "/latest/meta-data/iam/security-credentials/"

    package init(
        environment: [String: String],
        http: CredentialHTTPClient = CredentialHTTPClient(connectTimeout: .seconds(1), requestTimeout: .seconds(2)),
        attempts: Int = 2
    ) {
        self.environment = environment
        self.http = http
        self.attempts = max(1, attempts)
    }

    package var sourceDescription: String {
        disabled ? "EC2 instance metadata (off: AWS_EC2_METADATA_DISABLED)" : "EC2 instance metadata (IMDSv2) at \(endpoint)"
    }

    package var disabled: Bool { environment["AWS_EC2_METADATA_DISABLED"]?.trimmingCharacters(in: .whitespaces).lowercased() == "true" }

    package var endpoint: String {
        if let configured = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"].flatMap(nonEmpty) {
            return configured.hasSuffix("/") ? String(configured.dropLast()) : configured
        }
        if environment["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"]?.lowercased() == "ipv6" { return "http://[fd00:ec2::254]" }
        return "http://169.254.169.254"
    }

    /// What one request came to: an answer, or nothing usable from this machine.
    enum Outcome {
        case answer(CredentialHTTPClient.Response)
        case unavailable(String)
    }

    package func resolve() async throws -> AWSCredentials? {
        guard !disabled else { return nil }
        guard var token = try await sessionToken() else { return nil }
        var listing = try await get(Self.credentialsPath, token: token)
        if listing.status == 401, let renewed = try await sessionToken() {
            // The token lapsed between calls (or the service restarted): one new session.
            token = renewed
            listing = try await get(Self.credentialsPath, token: token)
        }
        if listing.status == 404 { return nil }  // An instance without an instance profile.
        guard listing.status == 200 else {
            throw CredentialError(source: sourceDescription, message: "listing the instance role answered HTTP \(listing.status)")
        }
        guard let role = listing.text.split(whereSeparator: \.isNewline).first.map({ $0.trimmingCharacters(in: .whitespaces) }), !role.isEmpty else {
            return nil
        }
        let path = Self.credentialsPath + role
        let answer = try await get(path, token: token)
        if answer.status == 404 {
            throw CredentialError(source: sourceDescription, message: "instance role \(role) has no credentials (HTTP 404)")
        }
        if answer.status == 200, let code = Self.code(in: answer), code != "Success" {
            throw CredentialError(source: sourceDescription, message: "instance role \(role) credentials are not available: \(code)")
        }
        let found = try ContainerCredentialProvider.decode(answer, url: endpoint + path, source: sourceDescription)
        return AWSCredentials(signing: found.signing, expiration: found.expiration, source: "EC2 instance role \(role)")
    }

    /// nil when there is no IMDSv2 here: unreachable, timing out, or refusing a token (4xx).
    func sessionToken() async throws -> String? {
        let request = CredentialHTTPClient.Request(
            method: .PUT, url: endpoint + "/latest/api/token",
            headers: [("x-aws-ec2-metadata-token-ttl-seconds", String(Self.tokenTTLSeconds))]
        )
        switch try await send(request) {
        case .unavailable:
            return nil
        case .answer(let response) where response.status == 200:
            let token = response.text.trimmingCharacters(in: .whitespacesAndNewlines)
            return token.isEmpty ? nil : token
        case .answer(let response) where response.status >= 500:
            throw CredentialError(source: sourceDescription, message: "the session token request answered HTTP \(response.status) \(attempts) times")
        case .answer:
            return nil
        }
    }

    func get(_ path: String, token: String) async throws -> CredentialHTTPClient.Response {
        let request = CredentialHTTPClient.Request(method: .GET, url: endpoint + path, headers: [("x-aws-ec2-metadata-token", token)])
        switch try await send(request) {
        case .answer(let response) where response.status < 500:
            return response
        case .answer(let response):
            throw CredentialError(source: sourceDescription, message: "\(path) answered HTTP \(response.status) \(attempts) times")
        case .unavailable(let problem):
            throw CredentialError(source: sourceDescription, message: "\(path): \(problem)")
        }
    }

    /// Retries 5xx answers and read timeouts; an unreachable address is not retried.
    func send(_ request: CredentialHTTPClient.Request) async throws -> Outcome {
        var last: Outcome = .unavailable("no attempt")
        for _ in 0..<attempts {
            do {
                let response = try await http.send(request)
                last = .answer(response)
                if response.status < 500 { return last }
            } catch let error as CredentialHTTPClient.TransportError {
                last = .unavailable(error.description)
                if error.kind == .unreachable { return last }
            }
        }
        return last
    }

    static func code(in response: CredentialHTTPClient.Response) -> String? {
        struct Status: Decodable { var Code: String? }
        return (try? JSONDecoder().decode(Status.self, from: Data(response.body)))?.Code
    }
}
