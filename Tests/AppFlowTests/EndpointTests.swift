import Testing
@testable import AppFlow

@Suite(.timeLimit(.minutes(5))) struct EndpointTests {
    @Test(arguments: [
        ("eu-west-1", [:], "https://appflow.eu-west-1.amazonaws.com"),
        ("us-east-1", ["AWS_USE_FIPS_ENDPOINT": "true"], "https://appflow-fips.us-east-1.amazonaws.com"),
        ("cn-north-1", [:], "https://appflow.cn-north-1.amazonaws.com.cn"),
        ("cn-northwest-1", ["AWS_USE_FIPS_ENDPOINT": "TRUE"], "https://appflow-fips.cn-northwest-1.amazonaws.com.cn"),
        ("us-gov-west-1", [:], "https://appflow.us-gov-west-1.amazonaws.com"),
        ("eu-west-1", ["AWS_ENDPOINT_URL": "http://127.0.0.1:8555"], "http://127.0.0.1:8555"),
        ("eu-west-1", ["AWS_ENDPOINT_URL": "http://a:1", "AWS_ENDPOINT_URL_APPFLOW": "https://b.example:8443/p/"], "https://b.example:8443/p"),
        ("eu-west-1", ["AWS_ENDPOINT_URL_APPFLOW": "https://b.example:443", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"],
         "https://appflow.eu-west-1.amazonaws.com"),
        ("eu-west-1", ["AWS_ENDPOINT_URL_APPFLOW": "https://b.example:443"], "https://b.example"),
    ] as [(String, [String: String], String)])
    func resolves(region: String, environment: [String: String], expected: String) throws {
        #expect(try EndpointResolver.resolve(region: region, environment: environment).description == expected)
    }

    @Test func explicitEndpointWins() throws {
        let endpoint = try EndpointResolver.resolve(region: "eu-west-1", environment: ["AWS_ENDPOINT_URL": "http://a:1"], explicit: "http://[::1]:9000")
        #expect(endpoint.hostHeader == "[::1]:9000")
    }

    @Test(arguments: ["ftp://x", "not a url", "http://"])
    func rejectsBadURLs(_ value: String) {
        #expect(throws: Endpoint.InvalidEndpoint.self) {
            try EndpointResolver.resolve(region: "eu-west-1", environment: ["AWS_ENDPOINT_URL_APPFLOW": value])
        }
    }

    @Test func regionOrder() throws {
        #expect(try RegionResolver.resolve(explicit: "a", environment: ["AWS_REGION": "b"], profileRegion: "c") == "a")
        #expect(try RegionResolver.resolve(explicit: nil, environment: ["AWS_REGION": "b", "AWS_DEFAULT_REGION": "x"], profileRegion: "c") == "b")
        #expect(try RegionResolver.resolve(explicit: nil, environment: ["AWS_DEFAULT_REGION": "x"], profileRegion: "c") == "x")
        #expect(try RegionResolver.resolve(explicit: nil, environment: [:], profileRegion: "c") == "c")
        #expect(throws: RegionResolver.MissingRegion.self) {
            try RegionResolver.resolve(explicit: nil, environment: ["AWS_REGION": " "], profileRegion: nil)
        }
    }

    @Test func proxySettings() throws {
        let proxy = try ProxySettings(environment: ["https_proxy": "http://proxy.internal:3128", "NO_PROXY": "localhost,.corp.example"])
        #expect(proxy.httpsProxy == Endpoint(scheme: "http", host: "proxy.internal", port: 3128))
        #expect(proxy.bypasses(host: "localhost"))
        #expect(proxy.bypasses(host: "api.corp.example"))
        #expect(!proxy.bypasses(host: "appflow.eu-west-1.amazonaws.com"))
    }
}
