import Foundation

extension AppFlowClient.Configuration {
    /// The configuration the AWS SDKs would build from the environment and the shared files:
    /// region, endpoint, CA bundle, proxy and the default credential chain. Throws what would
    /// make every call fail: no region, a bad endpoint URL or proxy, an unreadable CA bundle.
    package static func fromEnvironment(
        _ environment: [String: String],
        region explicitRegion: String? = nil,
        regionSource: RegionResolver.ExplicitSource = .option,
        endpointURL: String? = nil,
        profile: String? = nil
    ) throws -> AppFlowClient.Configuration {
        let shared = try? SharedConfiguration(environment: environment, profile: profile)
        let region: String
        do {
            region = try RegionResolver.resolve(explicit: explicitRegion, environment: environment, profileRegion: shared?.region)
        } catch var missing as RegionResolver.MissingRegion {
            missing.explicitSource = regionSource
            missing.profile = shared?.profileName ?? profile ?? environment["AWS_PROFILE"].flatMap(nonEmpty) ?? "default"
            missing.configPath = shared?.configPath
            throw missing
        }
        let endpoint = try EndpointResolver.resolve(region: region, environment: environment, explicit: endpointURL)
        var configuration = AppFlowClient.Configuration(
            region: region,
            endpoint: endpoint,
            credentials: CredentialProviderChain.default(environment: environment, profile: profile)
        )
        configuration.caBundlePath = environment["AWS_CA_BUNDLE"].flatMap(nonEmpty) ?? shared?.configProfile?["ca_bundle"].flatMap(nonEmpty)
        configuration.proxy = try ProxySettings(environment: environment)
        try configuration.validate()
        return configuration
    }

    /// Where the endpoint came from, for the start-up line: an `AWS_ENDPOINT_URL*` variable left
    /// in the environment silently redirects every call, so it is named.
    package static func endpointSource(environment: [String: String], explicit: String? = nil) -> String {
        if explicit.flatMap(nonEmpty) != nil { return "--endpoint-url" }
        if environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]?.lowercased() != "true" {
            for name in ["AWS_ENDPOINT_URL_APPFLOW", "AWS_ENDPOINT_URL"] where environment[name].flatMap(nonEmpty) != nil {
                return name
            }
        }
        return "default"
    }

    /// What can be checked without a call: the CA bundle can be read.
    package func validate() throws {
        if let bundle = caBundlePath, !FileManager.default.isReadableFile(atPath: bundle) {
            throw AppFlowTransportError(.tls, "AWS_CA_BUNDLE \(bundle) cannot be read")
        }
    }
}
