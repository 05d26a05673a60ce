import SigV4

/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and optionally `AWS_SESSION_TOKEN`.
package struct EnvironmentCredentialProvider: CredentialProvider {
    let environment: [String: String]

    package init(environment: [String: String]) {
        self.environment = environment
    }

    package var sourceDescription: String { "environment variables (AWS_ACCESS_KEY_ID)" }

    package func resolve() throws -> AWSCredentials? {
        let keyId = environment["AWS_ACCESS_KEY_ID"].flatMap(nonEmpty)
        let secret = environment["AWS_SECRET_ACCESS_KEY"].flatMap(nonEmpty)
        switch (keyId, secret) {
        case (nil, nil):
            return nil
        case (nil, _):
            throw CredentialError(source: sourceDescription, message: "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not")
        case (_, nil):
            throw CredentialError(source: sourceDescription, message: "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
        case let (keyId?, secret?):
            let token = environment["AWS_SESSION_TOKEN"].flatMap(nonEmpty) ?? environment["AWS_SECURITY_TOKEN"].flatMap(nonEmpty)
            return AWSCredentials(
                signing: SigV4Credentials(accessKeyId: keyId, secretAccessKey: secret, sessionToken: token),
                source: "environment"
            )
        }
    }
}

func nonEmpty(_ value: String) -> String? {
    let trimmed = value.trimmingCharacters(in: .whitespaces)
    return trimmed.isEmpty ? nil : trimmed
}
