import Foundation
import SigV4

/// The selected profile of the shared `credentials` and `config` files, as the SDKs read it:
/// static keys; `role_arn` with `web_identity_token_file`; `role_arn` with `source_profile`
/// (static keys or another role, any depth, cycles refused) or `credential_source`
/// (`Environment`, `Ec2InstanceMetadata`, `EcsContainer`), with `external_id`,
/// `duration_seconds` and `role_session_name`.
package struct ProfileCredentialProvider: CredentialProvider {
    let environment: [String: String]
    let profile: String?
    let now: @Sendable () -> Date

    package init(environment: [String: String], profile: String? = nil, now: @escaping @Sendable () -> Date = Date.init) {
        self.environment = environment
        self.profile = profile
        self.now = now
    }

    package var sourceDescription: String { "shared credentials and config files" }

    /// What a profile comes to: keys at hand, or a provider that must call out for them.
    enum Plan {
        case credentials(AWSCredentials)
        case provider(any CredentialProvider)
    }

    package func resolve() async throws -> AWSCredentials? {
        let shared = try loadShared()
        switch try plan(for: shared) {
        case .credentials(let credentials):
            return credentials
        case .provider(let provider):
            return try await provider.resolve()
        case nil:
            return nil
        }
    }

    /// Static keys only, without the network (a profile that assumes a role throws): for
    /// callers outside an async context. The chain uses the async `resolve()`.
    package func resolve() throws -> AWSCredentials? {
        let shared = try loadShared()
        switch try plan(for: shared) {
        case .credentials(let credentials):
            return credentials
        case .provider(let provider):
            throw CredentialError(source: "profile '\(shared.profileName)'", message: "\(provider.sourceDescription) needs the network; resolve it asynchronously")
        case nil:
            return nil
        }
    }

    func loadShared() throws -> SharedConfiguration {
        do {
            return try SharedConfiguration(environment: environment, profile: profile)
        } catch {
            throw CredentialError(source: sourceDescription, message: error.description)
        }
    }

    func plan(for shared: SharedConfiguration) throws -> Plan? {
        if let plan = try plan(profile: shared.profileName, shared: shared, visited: []) { return plan }
        if shared.profileExplicit && shared.credentialsProfile == nil && shared.configProfile == nil {
            throw CredentialError(source: "profile '\(shared.profileName)'", message: "not found in \(shared.credentialsPath) or \(shared.configPath)")
        }
        return nil
    }

    /// nil when the profile does not exist or configures no credentials.
    func plan(profile name: String, shared: SharedConfiguration, visited: [String]) throws -> Plan? {
        let fromCredentials = shared.credentialsFile?.profiles[name]
        let fromConfig = shared.configFile?.profiles[name]
        guard fromCredentials != nil || fromConfig != nil else { return nil }
        let settings = (fromCredentials ?? [:]).merging(fromConfig ?? [:]) { first, _ in first }
        let context = "profile '\(name)'"
        func value(_ key: String) -> String? { settings[key].flatMap(nonEmpty) }

        guard let roleArn = value("role_arn") else {
            if let keys = try staticKeys(profile: name, shared: shared) { return .credentials(keys) }
            if value("web_identity_token_file") != nil {
                throw CredentialError(source: context, message: "web_identity_token_file needs role_arn")
            }
            for key in ["credential_process", "sso_session", "sso_start_url"] where settings[key] != nil {
                throw CredentialError(source: context, message: "uses \(key), which appflowd does not support; use a role, static keys, the environment or a systemd credential")
            }
            return nil
        }
        var duration: Int?
        if let text = value("duration_seconds") {
            guard let seconds = Int(text), (900...43_200).contains(seconds) else {
                throw CredentialError(source: context, message: "duration_seconds must be a whole number from 900 to 43200")
            }
            duration = seconds
        }
        let region = WebIdentityCredentialProvider.region(environment: environment, profile: shared.profileName)
        if let tokenFile = value("web_identity_token_file") {
            let web = WebIdentityCredentialProvider.Settings(
                roleArn: roleArn, tokenFile: tokenFile, sessionName: value("role_session_name"), durationSeconds: duration, region: region
            )
            return .provider(WebIdentityCredentialProvider(settings: web, environment: environment, now: now))
        }
        if value("mfa_serial") != nil {
            throw CredentialError(source: context, message: "role_arn with mfa_serial needs a code typed in, which a daemon cannot do")
        }
        let source: any CredentialProvider
        switch (value("source_profile"), value("credential_source")) {
        case (_?, _?):
            throw CredentialError(source: context, message: "sets both source_profile and credential_source; keep one")
        case (nil, nil):
            throw CredentialError(source: context, message: "role_arn needs source_profile or credential_source")
        case (let sourceName?, nil):
            source = try sourceProvider(named: sourceName, from: name, shared: shared, visited: visited)
        case (nil, let kind?):
            source = try credentialSource(kind, context: context)
        }
        let role = AssumeRoleCredentialProvider.Settings(
            roleArn: roleArn, sessionName: value("role_session_name"), externalId: value("external_id"), durationSeconds: duration, region: region
        )
        return .provider(AssumeRoleCredentialProvider(settings: role, source: source, origin: "profile '\(name)'", environment: environment, now: now))
    }

    func sourceProvider(named sourceName: String, from name: String, shared: SharedConfiguration, visited: [String]) throws -> any CredentialProvider {
        // A profile may be its own source when it holds the keys that assume its role.
        if sourceName == name {
            guard let keys = try staticKeys(profile: name, shared: shared) else {
                throw CredentialError(source: "profile '\(name)'", message: "source_profile names itself but it has no static keys")
            }
            return Fixed(credentials: keys)
        }
        let path = visited + [name]
        if path.contains(sourceName) {
            throw CredentialError(source: "profile '\(name)'", message: "source_profile loop: \((path + [sourceName]).joined(separator: " -> "))")
        }
        switch try plan(profile: sourceName, shared: shared, visited: path) {
        case .credentials(let keys):
            return Fixed(credentials: keys)
        case .provider(let provider):
            return provider
        case nil:
            throw CredentialError(source: "profile '\(name)'", message: "source_profile '\(sourceName)' is missing or has no credentials")
        }
    }

    func credentialSource(_ kind: String, context: String) throws -> any CredentialProvider {
        switch kind {
        case "Environment": return EnvironmentCredentialProvider(environment: environment)
        case "Ec2InstanceMetadata": return InstanceMetadataCredentialProvider(environment: environment)
        case "EcsContainer": return ContainerCredentialProvider(environment: environment)
        default:
            throw CredentialError(source: context, message: "credential_source must be Environment, Ec2InstanceMetadata or EcsContainer")
        }
    }

    /// Keys from the credentials file's section first, then the config file's.
    func staticKeys(profile name: String, shared: SharedConfiguration) throws -> AWSCredentials? {
        let candidates = [(shared.credentialsFile?.profiles[name], shared.credentialsPath), (shared.configFile?.profiles[name], shared.configPath)]
        for (settings, path) in candidates {
            guard let settings else { continue }
            if let keys = try Self.staticKeys(in: settings, profile: name, path: path) { return keys }
        }
        return nil
    }

    /// `aws_access_key_id` + `aws_secret_access_key` (+ `aws_session_token`) in one section.
    static func staticKeys(in settings: [String: String], profile: String, path: String) throws -> AWSCredentials? {
        let keyId = settings["aws_access_key_id"].flatMap(nonEmpty)
        let secret = settings["aws_secret_access_key"].flatMap(nonEmpty)
        switch (keyId, secret) {
        case (nil, nil):
            return nil
        case (nil, _):
            throw CredentialError(source: "\(path) [\(profile)]", message: "aws_secret_access_key without aws_access_key_id")
        case (_, nil):
            throw CredentialError(source: "\(path) [\(profile)]", message: "aws_access_key_id without aws_secret_access_key")
        case let (keyId?, secret?):
            let token = settings["aws_session_token"].flatMap(nonEmpty) ?? settings["aws_security_token"].flatMap(nonEmpty)
            return AWSCredentials(
                signing: SigV4Credentials(accessKeyId: keyId, secretAccessKey: secret, sessionToken: token),
                source: "\(path) [\(profile)]"
            )
        }
    }

    /// Keys already read, as the source of a role.
    struct Fixed: CredentialProvider {
        let credentials: AWSCredentials
        var sourceDescription: String { credentials.source }
        func resolve() async throws -> AWSCredentials? { credentials }
    }
}
