import SigV4

/// Static keys from the shared `credentials` file, then the `config` file, for the selected profile.
package struct ProfileCredentialProvider: CredentialProvider {
    let environment: [String: String]
    let profile: String?

    package init(environment: [String: String], profile: String? = nil) {
        self.environment = environment
        self.profile = profile
    }

    package var sourceDescription: String { "shared credentials and config files" }

    package func resolve() throws -> AWSCredentials? {
        let shared: SharedConfiguration
        do {
            shared = try SharedConfiguration(environment: environment, profile: profile)
        } catch {
            throw CredentialError(source: sourceDescription, message: error.description)
        }
        let candidates: [(settings: [String: String]?, path: String)] = [
            (shared.credentialsProfile, shared.credentialsPath),
            (shared.configProfile, shared.configPath),
        ]
        for candidate in candidates {
            guard let settings = candidate.settings else { continue }
            if let credentials = try Self.staticKeys(in: settings, profile: shared.profileName, path: candidate.path) {
                return credentials
            }
        }
        let settings = (shared.credentialsProfile ?? [:]).merging(shared.configProfile ?? [:]) { first, _ in first }
        for key in ["role_arn", "web_identity_token_file", "credential_process", "sso_session", "sso_start_url"] where settings[key] != nil {
            throw CredentialError(
                source: "profile '\(shared.profileName)'",
                message: "uses \(key), which this version of appflowd does not support yet; use static keys, the environment or a systemd credential"
            )
        }
        if shared.profileExplicit && shared.credentialsProfile == nil && shared.configProfile == nil {
            throw CredentialError(
                source: "profile '\(shared.profileName)'",
                message: "not found in \(shared.credentialsPath) or \(shared.configPath)"
            )
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
}
