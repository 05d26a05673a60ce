/// Tries providers in order, as the SDKs' default chain does: the first that is configured wins;
/// one that is configured but broken stops the chain with its error.
package struct CredentialProviderChain: CredentialProvider {
    package var providers: [any CredentialProvider]

    package init(providers: [any CredentialProvider]) {
        self.providers = providers
    }

    /// The SPEC's order, the SDKs' default chain: environment, systemd credential, web identity
    /// (environment variables), the shared files and profile (static keys or a role), the
    /// container endpoint, then EC2 instance metadata.
    package static func `default`(environment: [String: String], profile: String? = nil) -> CredentialProviderChain {
        CredentialProviderChain(providers: [
            EnvironmentCredentialProvider(environment: environment),
            SystemdCredentialProvider(environment: environment),
            WebIdentityCredentialProvider(environment: environment),
            ProfileCredentialProvider(environment: environment, profile: profile),
            ContainerCredentialProvider(environment: environment),
            InstanceMetadataCredentialProvider(environment: environment),
        ])
    }

    package var sourceDescription: String { "default credential chain" }

    package func resolve() async throws -> AWSCredentials? {
        for provider in providers {
            if let credentials = try await provider.resolve() {
                return credentials
            }
        }
        return nil
    }

    /// Like `resolve()`, but finding nothing is an error that lists every place tried.
    package func require() async throws -> AWSCredentials {
        if let credentials = try await resolve() { return credentials }
        let tried = providers.map(\.sourceDescription).joined(separator: "; ")
        throw CredentialError(source: "credentials", message: "none found; tried: \(tried)")
    }
}
