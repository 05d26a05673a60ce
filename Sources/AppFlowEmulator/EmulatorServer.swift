import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// A running emulator: the HTTP(S) listener on its event loops, and the `EmulatorCore`
/// behind it.
package final class EmulatorServer: Sendable {
    package typealias Configuration = EmulatorConfiguration

    /// The port actually bound (useful with port 0).
    package let port: Int
    package let core: EmulatorCore
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    private let accepted: ConnectionCount

    private init(port: Int, core: EmulatorCore, group: MultiThreadedEventLoopGroup, channel: any Channel, accepted: ConnectionCount) {
        self.port = port
        self.core = core
        self.group = group
        self.channel = channel
        self.accepted = accepted
    }

    /// TCP connections accepted so far (tests of connection reuse).
    package var connectionsAccepted: Int { accepted.value.load(ordering: .relaxed) }

    final class ConnectionCount: Sendable {
        let value = Atomic<Int>(0)
    }

    /// Binds and starts serving. Throws `EmulatorConfigurationError` for bad settings or TLS
    /// files, and NIO's errors when the address cannot be bound.
    package static func start(_ configuration: EmulatorConfiguration) async throws -> EmulatorServer {
        let core = try EmulatorCore(configuration: configuration)
        let sslContext = try configuration.tls.map(makeSSLContext)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: configuration.threads ?? System.coreCount)
        let accepted = ConnectionCount()
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 512)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                accepted.value.add(1, ordering: .relaxed)
                return channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let sslContext {
                        try pipeline.addHandler(NIOSSLServerHandler(context: sslContext))
                    }
                    // Our own headers are constants and numbers: validating them again costs a tenth of a request.
                    try pipeline.configureHTTPServerPipeline(withErrorHandling: true, withOutboundHeaderValidation: false)
                    try pipeline.addHandler(HTTPRequestHandler(core: core))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        } catch {
            try? await group.shutdownGracefully()
            core.closeRecord()
            throw error
        }
        let port = channel.localAddress?.port ?? configuration.port
        return EmulatorServer(port: port, core: core, group: group, channel: channel, accepted: accepted)
    }

    /// A snapshot of the in-memory request record, oldest first.
    package var requests: [RequestRecord] { core.requests }

    package var faults: FaultSettings { core.faults }

    package func setFaults(_ faults: FaultSettings) {
        core.setFaults(faults)
    }

    package func reset() {
        core.reset()
    }

    /// Stops accepting, closes open connections, and closes the record file.
    package func shutdown() async throws {
        try? await channel.close()
        try await group.shutdownGracefully()
        core.closeRecord()
    }

    private static func makeSSLContext(_ files: EmulatorConfiguration.TLSFiles) throws -> NIOSSLContext {
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(files.certificateChainPath).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: files.privateKeyPath, format: .pem)
            let tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
            return try NIOSSLContext(configuration: tls)
        } catch {
            throw EmulatorConfigurationError(code: "tls", message: "cannot load TLS certificate or key: \(error)")
        }
    }
}
