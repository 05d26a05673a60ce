/// The systemd credential `aws` (`LoadCredential=aws:...`), found at `$CREDENTIALS_DIRECTORY/aws`
/// and read as a shared-credentials file. The profile is `AWS_PROFILE`'s, else `default`; a file
/// with one section only is used whatever its name.
package struct SystemdCredentialProvider: CredentialProvider {
    let environment: [String: String]

    package init(environment: [String: String]) {
        self.environment = environment
    }

    package var sourceDescription: String { "systemd credential $CREDENTIALS_DIRECTORY/aws" }

    package func resolve() throws -> AWSCredentials? {
        guard let directory = environment["CREDENTIALS_DIRECTORY"].flatMap(nonEmpty) else { return nil }
        let path = directory.hasSuffix("/") ? directory + "aws" : directory + "/aws"
        let file: ProfileFile
        do {
            guard let loaded = try ProfileFile.load(path: path, kind: .credentials) else { return nil }
            file = loaded
        } catch {
            throw CredentialError(source: sourceDescription, message: error.description)
        }
        let wanted = environment["AWS_PROFILE"].flatMap(nonEmpty) ?? "default"
        let name: String
        if file.profiles[wanted] != nil {
            name = wanted
        } else if file.profiles.count == 1, let only = file.profiles.keys.first {
            name = only
        } else {
            throw CredentialError(source: sourceDescription, message: "\(path) has no [\(wanted)] section")
        }
        guard let credentials = try ProfileCredentialProvider.staticKeys(in: file.profiles[name] ?? [:], profile: name, path: path) else {
            throw CredentialError(source: sourceDescription, message: "\(path) [\(name)] has no aws_access_key_id and aws_secret_access_key")
        }
        return AWSCredentials(signing: credentials.signing, source: "systemd credential \(path) [\(name)]")
    }
}
