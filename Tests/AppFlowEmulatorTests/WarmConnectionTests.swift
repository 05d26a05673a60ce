import AppFlow
import AppFlowEmulator
import Foundation
import SigV4
import Testing

/// `AppFlowClient.warm()` (issue 13): the connection it opens is the one the next call uses, it
/// sends no AWS operation and no credentials, and a connection just used is not warmed again.
@Suite(.timeLimit(.minutes(2)))
struct WarmConnectionTests {
    struct Fixed: CredentialProvider {
        var sourceDescription: String { "test" }
        func resolve() async throws -> AWSCredentials? {
            AWSCredentials(
                signing: SigV4Credentials(accessKeyId: EmulatorHarness.accessKeyId, secretAccessKey: EmulatorHarness.secret, sessionToken: nil),
                source: "test")
        }
    }

    /// An emulator serving these flows, and a client of it with the emulator's key.
    static func withClient(flows: [String] = ["daily-sync"], _ body: (EmulatorServer, AppFlowClient) async throws -> Void) async throws {
        let server = try await EmulatorServer.start(EmulatorConfiguration(
            flows: flows.map { EmulatedFlow(name: $0) },
            credentials: [EmulatorHarness.accessKeyId: EmulatorHarness.secret], port: 0, threads: 1))
        let client = try AppFlowClient(configuration: .init(
            region: "us-west-2", endpoint: Endpoint(scheme: "http", host: "127.0.0.1", port: server.port), credentials: Fixed()))
        do {
            try await body(server, client)
        } catch {
            try? await client.shutdown()
            try await server.shutdown()
            throw error
        }
        try await client.shutdown()
        try await server.shutdown()
    }

    func withClient(_ body: (EmulatorServer, AppFlowClient) async throws -> Void) async throws {
        try await Self.withClient(body)
    }

    @Test func theCallAfterAWarmUpUsesItsConnection() async throws {
        try await withClient { server, client in
            #expect(server.connectionsAccepted == 0)
            #expect(await client.warm())
            #expect(server.connectionsAccepted == 1)
            let warmUp = try #require(server.requests.last)
            #expect(warmUp.method == "HEAD" && warmUp.path == "/" && warmUp.operation == nil)
            #expect(warmUp.accessKeyId == nil, "no credentials on the wire")
            _ = try await client.startFlow(flowName: "daily-sync", clientToken: "warm-1")
            #expect(server.connectionsAccepted == 1, "StartFlow went out on the warmed connection")
            #expect(server.requests.filter { $0.operation == "StartFlow" }.count == 1)
        }
    }

    @Test func aConnectionJustUsedIsNotWarmedAgain() async throws {
        try await withClient { server, client in
            _ = try await client.startFlow(flowName: "daily-sync", clientToken: "warm-2")
            let before = server.requests.count
            #expect(await client.warm() == false)
            #expect(server.requests.count == before, "no request")
        }
    }

    @Test func aWarmUpThatCannotConnectIsQuiet() async throws {
        let client = try AppFlowClient(configuration: .init(
            region: "us-west-2", endpoint: Endpoint(scheme: "http", host: "127.0.0.1", port: 9), credentials: Fixed()))
        #expect(await client.warm() == false)
        try await client.shutdown()
    }
}

/// `AppFlowClient.presignStartFlows` (issue 13): a StartFlow signed ahead, dated at its fire
/// time's second, goes out as it is, and the emulator (which checks every signature) accepts it;
/// one that no longer fits is signed anew.
@Suite(.timeLimit(.minutes(2)))
struct PresignTests {
    func withClient(_ body: (EmulatorServer, AppFlowClient) async throws -> Void) async throws {
        try await WarmConnectionTests.withClient(flows: ["daily-sync", "other"], body)
    }

    static var nowSeconds: Int64 { Int64(Date().timeIntervalSince1970) }

    @Test func aRequestSignedAheadGoesOutAsItIsAndIsAccepted() async throws {
        try await withClient { server, client in
            await client.presignStartFlows([("daily-sync", "ahead-1", Self.nowSeconds), ("daily-sync", "ahead-2", Self.nowSeconds + 1)])
            #expect(client.presignedCount == 2)
            let result = try await client.startFlow(flowName: "daily-sync", clientToken: "ahead-1")
            #expect(result.executionId != nil)
            #expect(client.presignedSendCount == 1 && client.presignedCount == 1)
            let start = try #require(server.requests.last)
            #expect(start.status == 200 && start.accessKeyId == EmulatorHarness.accessKeyId, "the signature dated ahead checks out")
            // A retry of the same token is signed anew.
            _ = try await client.startFlow(flowName: "daily-sync", clientToken: "ahead-1")
            #expect(client.presignedSendCount == 1)
        }
    }

    @Test func oneThatNoLongerFitsIsSignedAnew() async throws {
        try await withClient { server, client in
            // Another flow under the same token (a reload changed it), and a date AWS would refuse.
            await client.presignStartFlows([("other", "changed", Self.nowSeconds), ("daily-sync", "stale", Self.nowSeconds - 600)])
            _ = try await client.startFlow(flowName: "daily-sync", clientToken: "changed")
            _ = try await client.startFlow(flowName: "daily-sync", clientToken: "stale")
            #expect(client.presignedSendCount == 0)
            #expect(server.requests.filter { $0.operation == "StartFlow" }.allSatisfy { $0.status == 200 })
        }
    }
}
