extension AppFlowClient.Configuration {
    /// The configuration the AWS SDKs would build from the environment and the shared files:
    /// region, endpoint, CA bundle, proxy and the default credential chain.
    package static func fromEnvironment(
        _ environment: [String: String],
        region explicitRegion: String? = nil,
        endpointURL: String? = nil,
        profile: String? = nil
    ) throws -> AppFlowClient.Configuration {
        let shared = try? SharedConfiguration(environment: environment, profile: profile)
        let region = try RegionResolver.resolve(explicit: explicitRegion, environment: environment, profileRegion: shared?.region)
        let endpoint = try EndpointResolver.resolve(region: region, environment: environment, explicit: endpointURL)
        var configuration = AppFlowClient.Configuration(
            region: region,
            endpoint: endpoint,
            credentials: CredentialProviderChain.default(environment: environment, profile: profile)
        )
        configuration.caBundlePath = environment["AWS_CA_BUNDLE"].flatMap(nonEmpty) ?? shared?.configProfile?["ca_bundle"].flatMap(nonEmpty)
        configuration.proxy = try ProxySettings(environment: environment)
        return configuration
    }
}
