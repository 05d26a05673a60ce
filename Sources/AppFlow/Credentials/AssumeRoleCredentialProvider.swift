import Foundation

/// STS `AssumeRole`, signed with the credentials of `source`, which are resolved again at every
/// refresh (so a chain of roles, or a source that itself expires, keeps working). A profile's
/// `role_arn` (its `source_profile` or `credential_source`), and a job file's or `--role-arn`'s
/// role over the default chain.
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
    /// What named the role, for messages: `profile 'x'`, `the job file`, `--role-arn`.
    let origin: String
    let environment: [String: String]
    let now: @Sendable () -> Date

    package init(settings: Settings, source: any CredentialProvider, origin: String, environment: [String: String], now: @escaping @Sendable () -> Date = Date.init) {
        self.settings = settings
        self.source = source
        self.origin = origin
        self.environment = environment
        self.now = now
    }

    package var sourceDescription: String {
        "\(origin) role \(settings.roleArn) via \(source.sourceDescription)"
    }

    package func resolve() async throws -> AWSCredentials? {
        let sourceCredentials: AWSCredentials
        if let chain = source as? CredentialProviderChain {
            // Finding nothing names every place tried.
            sourceCredentials = try await chain.require()
        } else if let found = try await source.resolve() {
            sourceCredentials = found
        } else {
            throw CredentialError(
                source: origin,
                message: "role_arn \(settings.roleArn) needs source credentials, but \(source.sourceDescription) has none"
            )
        }
        let sts = try STSClient.forEnvironment(environment, region: settings.region)
        let sessionName = settings.sessionName ?? "appflowd-\(Int(now().timeIntervalSince1970))"
        let assumed = try await sts.assumeRole(
            roleArn: settings.roleArn, sessionName: sessionName, externalId: settings.externalId,
            durationSeconds: settings.durationSeconds, sourceCredentials: sourceCredentials.signing
        )
        return AWSCredentials(signing: assumed.signing, expiration: assumed.expiration, source: "\(origin) role \(settings.roleArn)")
    }
}
