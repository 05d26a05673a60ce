import Foundation

/// The shared `credentials` and `config` files and the selected profile, located as the AWS
/// SDKs locate them (`AWS_SHARED_CREDENTIALS_FILE`, `AWS_CONFIG_FILE`, `AWS_PROFILE`, `~/.aws/`).
package struct SharedConfiguration: Sendable {
    package var profileName: String
    /// True when the profile was chosen explicitly (`AWS_PROFILE`, `--profile`): then it must exist.
    package var profileExplicit: Bool
    package var credentialsFile: ProfileFile?
    package var configFile: ProfileFile?
    package var credentialsPath: String
    package var configPath: String

    package init(environment: [String: String], profile: String? = nil) throws(ProfileFile.ParseError) {
        (credentialsPath, configPath) = Self.paths(environment: environment)
        let chosen = profile ?? environment["AWS_PROFILE"].flatMap(nonEmpty) ?? environment["AWS_DEFAULT_PROFILE"].flatMap(nonEmpty)
        profileName = chosen ?? "default"
        profileExplicit = chosen != nil
        credentialsFile = try ProfileFile.load(path: credentialsPath, kind: .credentials)
        configFile = try ProfileFile.load(path: configPath, kind: .config)
    }

    /// The selected profile's settings in the config file.
    package var configProfile: [String: String]? { configFile?.profiles[profileName] }
    /// The selected profile's settings in the credentials file.
    package var credentialsProfile: [String: String]? { credentialsFile?.profiles[profileName] }

    /// The profile's `region`, from the config file (the SDKs read it only there).
    package var region: String? { configProfile?["region"].flatMap(nonEmpty) }

    /// Where the two files are, whether they exist or not.
    static func paths(environment: [String: String]) -> (credentials: String, config: String) {
        let home = environment["HOME"].flatMap(nonEmpty) ?? NSHomeDirectory()
        let credentials = environment["AWS_SHARED_CREDENTIALS_FILE"].flatMap(nonEmpty).map { expand($0, home: home) }
            ?? "\(home)/.aws/credentials"
        let config = environment["AWS_CONFIG_FILE"].flatMap(nonEmpty).map { expand($0, home: home) }
            ?? "\(home)/.aws/config"
        return (credentials, config)
    }

    static func expand(_ path: String, home: String) -> String {
        if path == "~" { return home }
        if path.hasPrefix("~/") { return home + path.dropFirst(1) }
        return path
    }
}
