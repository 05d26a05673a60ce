import Foundation

/// A profile's `role_arn`: STS `AssumeRole`, signed with the credentials of its
/// `source_profile` or `credential_source`, which are resolved again at every refresh (so a
/// chain of roles, or a source that itself expires, keeps working).
package struct AssumeRoleCredentialProvider: CredentialProvider {
    package struct Settings: Sendable, Equatable {
        package var roleArn: String
        package var sessionName: String?
        package var externalId: String?
        package var durationSeconds: Int?
        package var region: String?

        package init(roleArn: String, sessionName: String? = nil, externalId: String? = nil, durationSeconds: Int? = nil, region: String? = nil) {
            self.roleArn = roleArn
            self.sessionName = sessionName
            self.externalId = externalId
            self.durationSeconds = durationSeconds
            self.region = region
        }
    }

    package let settings: Settings
    /// Signs the AssumeRole call.
    package let source: any CredentialProvider
    /// The profile that named the role, for messages.
    let profile: String
    let environment: [String: String]
    let now: @Sendable () -> Date

    package init(settings: Settings, source: any CredentialProvider, profile: String, environment: [String: String], now: @escaping @Sendable () -> Date = Date.init) {
        self.settings = settings
        self.source = source
        self.profile = profile
        self.environment = environment
        self.now = now
    }

    package var sourceDescription: String {
        "profile '\(profile)' role \(settings.roleArn) via \(source.sourceDescription)"
    }

    package func resolve() async throws -> AWSCredentials? {
        guard let sourceCredentials = try await source.resolve() else {
            throw CredentialError(
                source: "profile '\(profile)'",
                message: "role_arn \(settings.roleArn) needs source credentials, but \(source.sourceDescription) has none"
            )
        }
        let sts = try STSClient.forEnvironment(environment, region: settings.region)
        let sessionName = settings.sessionName ?? "appflowd-\(Int(now().timeIntervalSince1970))"
        let assumed = try await sts.assumeRole(
            roleArn: settings.roleArn, sessionName: sessionName, externalId: settings.externalId,
            durationSeconds: settings.durationSeconds, sourceCredentials: sourceCredentials.signing
        )
        return AWSCredentials(signing: assumed.signing, expiration: assumed.expiration, source: "profile '\(profile)' role \(settings.roleArn)")
    }
}
