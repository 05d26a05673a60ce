import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import SigV4
import Testing
@testable import AppFlow

/// Transport errors in plain words, with the endpoint's host and port, never a library's structures.
@Suite(.timeLimit(.minutes(1)))
struct TransportCauseTests {
    static let endpoint = Endpoint(scheme: "https", host: "appflow.eu-west-1.amazonaws.com")

    @Test(arguments: [
        (IOError(errnoCode: ECONNREFUSED, reason: "connect") as any Error, AppFlowTransportError.Kind.connect, "connection refused"),
        (IOError(errnoCode: ENETUNREACH, reason: "connect"), .connect, "network unreachable"),
        (HTTPClientError.connectTimeout, .timeout, "connection timed out"),
        (HTTPClientError.readTimeout, .timeout, "timed out waiting for the answer"),
        (HTTPClientError.remoteConnectionClosed, .connectionClosed, "connection closed by the server"),
        (NIOSSLExtraError.failedToValidateHostname, .tls, "certificate name mismatch"),
        (NIOSSLError.unableToValidateCertificate, .tls, "certificate not trusted"),
        (ChannelError.connectTimeout(.seconds(5)), .timeout, "connection timed out"),
    ])
    func causesReadPlainly(error: any Error, kind: AppFlowTransportError.Kind, words: String) {
        let transport = AppFlowClient.transportError(error, endpoint: Self.endpoint)
        #expect(transport.kind == kind)
        #expect(transport.detail.hasPrefix("appflow.eu-west-1.amazonaws.com:443: "))
        #expect(transport.detail.contains(words), "\(transport.detail)")
        #expect(!transport.detail.contains("errno") && !transport.detail.contains("IOError") && !transport.detail.contains("(error set)"))
    }

    @Test func aRefusedConnectionFailsAtOnce() async throws {
        // A port nothing listens on: bind one, note it, close it.
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(channel.localAddress?.port)
        try await channel.close()
        var configuration = AppFlowClient.Configuration(
            region: "eu-west-1", endpoint: Endpoint(scheme: "http", host: "127.0.0.1", port: port),
            credentials: StaticCredentials())
        // Retried until the connect timeout, the call took that long: make it long enough to tell
        // from "at once" even on a loaded machine.
        configuration.connectTimeout = .seconds(60)
        let client = try AppFlowClient(configuration: configuration)
        let began = ContinuousClock.now
        await #expect {
            _ = try await client.startFlow(flowName: "accounts", clientToken: "t")
        } throws: { error in
            (error as? AppFlowTransportError)?.detail == "127.0.0.1:\(port): connection refused (nothing listens there)"
        }
        #expect(ContinuousClock.now - began < .seconds(20), "a refused connection must not wait for the connect timeout")
        try await client.shutdown()
    }
}

private struct StaticCredentials: CredentialProvider {
    var sourceDescription: String { "test" }
    func resolve() async throws -> AWSCredentials? {
        AWSCredentials(signing: .init(accessKeyId: "AKID", secretAccessKey: "secret"), source: "test")
    }
}
