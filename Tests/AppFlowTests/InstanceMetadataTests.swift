import Foundation
import Testing
@testable import AppFlow

/// IMDSv2 end to end against the test server.
@Suite(.timeLimit(.minutes(5))) struct InstanceMetadataTests {
    @Test func tokenThenRoleThenCredentials() async throws {
        try await CredentialFixture.with { f in
            let found = try #require(try await InstanceMetadataCredentialProvider(environment: f.environment).resolve())
            #expect(found.signing.accessKeyId == "ASIATESTISSUED1")
            #expect(found.signing.secretAccessKey == "issued/secret+&<1>")
            #expect(found.expiration == f.clock.date().addingTimeInterval(3600))
            #expect(found.source == "EC2 instance role appflowd-instance-role")
            #expect(f.services.with { $0.imdsRequests } == [
                "PUT /latest/api/token",
                "GET /latest/meta-data/iam/security-credentials/",
                "GET /latest/meta-data/iam/security-credentials/appflowd-instance-role",
            ])
        }
    }

    @Test func theServerRefusesRequestsWithoutAToken() async throws {
        try await CredentialFixture.with { f in
            let http = CredentialHTTPClient()
            let bare = try await http.send(.init(method: .GET, url: f.server.baseURL + "/latest/meta-data/iam/security-credentials/"))
            #expect(bare.status == 401)
            let noTTL = try await http.send(.init(method: .PUT, url: f.server.baseURL + "/latest/api/token"))
            #expect(noTTL.status == 400)
        }
    }

    @Test func aFailingTokenRequestIsRetried() async throws {
        try await CredentialFixture.with { f in
            f.services.with { $0.imdsTokenFailures = 1 }
            let found = try await InstanceMetadataCredentialProvider(environment: f.environment).resolve()
            #expect(found?.signing.accessKeyId == "ASIATESTISSUED1")
            #expect(f.services.with { $0.imdsRequests.filter { $0.hasPrefix("PUT") }.count } == 2)
            f.services.with { $0.imdsTokenFailures = 5 }
            let error = try await #require(throws: CredentialError.self) { try await InstanceMetadataCredentialProvider(environment: f.environment).resolve() }
            #expect(error.description.contains("HTTP 503"))
        }
    }

    @Test func noInstanceProfileDisabledAndNotOnEC2MeanNotConfigured() async throws {
        try await CredentialFixture.with { f in
            f.services.with { $0.imdsRole = nil }
            let noRole = try await InstanceMetadataCredentialProvider(environment: f.environment).resolve()
            #expect(noRole == nil)

            var disabled = f.environment
            disabled["AWS_EC2_METADATA_DISABLED"] = "true"
            let before = f.services.with { $0.imdsRequests.count }
            let off = try await InstanceMetadataCredentialProvider(environment: disabled).resolve()
            #expect(off == nil)
            #expect(f.services.with { $0.imdsRequests.count } == before)
        }
        let port = try await CredentialTestServer.closedPort()
        let outside = InstanceMetadataCredentialProvider(environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:\(port)"])
        #expect(try await outside.resolve() == nil)
    }

    @Test(arguments: [
        ([:], "http://169.254.169.254"),
        (["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "IPv6"], "http://[fd00:ec2::254]"),
        (["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:1338/"], "http://127.0.0.1:1338"),
    ] as [([String: String], String)])
    func endpoint(environment: [String: String], expected: String) {
        #expect(InstanceMetadataCredentialProvider(environment: environment).endpoint == expected)
    }

    @Test func instanceCredentialsAreRefreshedInTheBackgroundBeforeTheyExpire() async throws {
        try await CredentialFixture.with { f in
            let logs = RecordingLogHandler()
            let cache = CredentialCache(provider: InstanceMetadataCredentialProvider(environment: f.environment), logger: logs.logger, now: { f.clock.date() })
            let first = try await cache.credentials()
            #expect(first.signing.accessKeyId == "ASIATESTISSUED1")
            f.clock.advance(3600 - 800)
            let during = try await cache.credentials()
            #expect(during.signing.accessKeyId == "ASIATESTISSUED1")
            await cache.waitForRefresh()
            let after = try await cache.credentials()
            #expect(after.signing.accessKeyId == "ASIATESTISSUED2")
            #expect(after.expiration == f.clock.date().addingTimeInterval(3600))
            #expect(logs.all.allSatisfy { !$0.metadata.values.contains { $0.contains("issued/secret") } })
        }
    }
}
