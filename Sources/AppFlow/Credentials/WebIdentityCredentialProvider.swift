import Foundation

/// A role assumed with an OIDC token from a file (EKS IRSA, GitHub Actions, ...): STS
/// `AssumeRoleWithWebIdentity`, unsigned. The token file is read again on every resolve,
/// because the platform rotates it.
///
/// Configured by `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN` (+ `AWS_ROLE_SESSION_NAME`), or by
/// a profile's `web_identity_token_file` + `role_arn` (+ `role_session_name`).
package struct WebIdentityCredentialProvider: CredentialProvider {
    package struct Settings: Sendable, Equatable {
        package var roleArn: String
        package var tokenFile: String
        package var sessionName: String?
        package var durationSeconds: Int?
        package var region: String?

        package init(roleArn: String, tokenFile: String, sessionName: String? = nil, durationSeconds: Int? = nil, region: String? = nil) {
            self.roleArn = roleArn
            self.tokenFile = tokenFile
            self.sessionName = sessionName
            self.durationSeconds = durationSeconds
            self.region = region
        }
    }

    let environment: [String: String]
    /// nil: read the settings from the environment at each resolve.
    let settings: Settings?
    let now: @Sendable () -> Date

    /// From `AWS_WEB_IDENTITY_TOKEN_FILE` and `AWS_ROLE_ARN`, the chain's third source.
    package init(environment: [String: String], now: @escaping @Sendable () -> Date = Date.init) {
        self.environment = environment
        self.settings = nil
        self.now = now
    }

    /// From a profile; `environment` still supplies the STS endpoint overrides.
    package init(settings: Settings, environment: [String: String], now: @escaping @Sendable () -> Date = Date.init) {
        self.environment = environment
        self.settings = settings
        self.now = now
    }

    package var sourceDescription: String {
        if let settings { return "web identity (role \(settings.roleArn), token file \(settings.tokenFile))" }
        return "web identity (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN)"
    }

    package func resolve() async throws -> AWSCredentials? {
        guard let settings = try settings ?? settingsFromEnvironment() else { return nil }
        let token = try Self.readToken(settings.tokenFile, source: sourceDescription)
        let region = settings.region ?? Self.region(environment: environment)
        let sts = try STSClient.forEnvironment(environment, region: region)
        let sessionName = settings.sessionName ?? "appflowd-\(Int(now().timeIntervalSince1970))"
        return try await sts.assumeRoleWithWebIdentity(
            roleArn: settings.roleArn, sessionName: sessionName, webIdentityToken: token, durationSeconds: settings.durationSeconds
        )
    }

    func settingsFromEnvironment() throws -> Settings? {
        let tokenFile = environment["AWS_WEB_IDENTITY_TOKEN_FILE"].flatMap(nonEmpty)
        let roleArn = environment["AWS_ROLE_ARN"].flatMap(nonEmpty)
        switch (tokenFile, roleArn) {
        case (nil, _):
            // AWS_ROLE_ARN alone is not web identity; the SDKs ignore it too.
            return nil
        case (_?, nil):
            throw CredentialError(source: sourceDescription, message: "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not")
        case let (tokenFile?, roleArn?):
            return Settings(roleArn: roleArn, tokenFile: tokenFile, sessionName: environment["AWS_ROLE_SESSION_NAME"].flatMap(nonEmpty))
        }
    }

    /// The token, never quoted in errors.
    static func readToken(_ path: String, source: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CredentialError(source: source, message: "the token file \(path) does not exist or cannot be read")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else {
            throw CredentialError(source: source, message: "the token file \(path) is empty")
        }
        return token
    }

    /// STS's region: `AWS_REGION`, `AWS_DEFAULT_REGION`, then the selected profile's `region`.
    static func region(environment: [String: String], profile: String? = nil) -> String? {
        if let region = environment["AWS_REGION"].flatMap(nonEmpty) ?? environment["AWS_DEFAULT_REGION"].flatMap(nonEmpty) {
            return region
        }
        return (try? SharedConfiguration(environment: environment, profile: profile))?.region
    }
}
