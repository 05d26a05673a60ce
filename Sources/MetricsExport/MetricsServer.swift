import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A small HTTP/1.1 server for `/metrics` that no client can turn against the scheduler: at
/// most `maxConnections` connections (others are closed when accepted), header, idle and write
/// timeouts, one request read ahead per connection, and a request-size limit
/// (`MetricsServerLimits`). It runs on one event-loop thread of its own. What each request is
/// answered with is the responder's business.
package final class MetricsServer: Sendable {
    package struct Response: Sendable {
        package var status: HTTPResponseStatus
        package var headers: [(String, String)]
        package var body: [UInt8]

        package init(status: HTTPResponseStatus, headers: [(String, String)] = [], body: [UInt8]) {
            self.status = status
            self.headers = headers
            self.body = body
        }

        /// A `text/plain` answer.
        package init(status: HTTPResponseStatus, text: String, headers: [(String, String)] = []) {
            self.init(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")] + headers, body: Array(text.utf8))
        }
    }

    /// Called on the server's event loop for each complete request.
    package typealias Responder = @Sendable (HTTPRequestHead) -> Response

    /// The port bound (the kernel's pick when asked for 0).
    package let port: Int
    package let limits: MetricsServerLimits
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    private let counter: ConnectionCounter

    /// Connections open now.
    package var openConnections: Int { counter.count.load(ordering: .relaxed) }

    private init(port: Int, limits: MetricsServerLimits, group: MultiThreadedEventLoopGroup, channel: any Channel, counter: ConnectionCounter) {
        self.port = port
        self.limits = limits
        self.group = group
        self.channel = channel
        self.counter = counter
    }

    /// Binds `host:port`. Throws when the address cannot be bound.
    package static func bind(host: String, port: Int, limits: MetricsServerLimits, responder: @escaping Responder) async throws -> MetricsServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let counter = ConnectionCounter(limit: limits.maxConnections)
        let decoderLimits = {
            var decoderLimits = NIOHTTPDecoderLimitConfiguration()
            decoderLimits.maxHeaderFieldSize = limits.maxRequestBytes
            decoderLimits.maxHeaderListSize = limits.maxRequestBytes
            decoderLimits.maxHeaderFieldCount = 100
            return decoderLimits
        }()
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 128)
            // Small reads, one at a time: a flood of pipelined requests is taken in 8 KiB steps.
            .childChannelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 8192))
            .childChannelOption(.maxMessagesPerRead, value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: false)
            .childChannelInitializer { channel in
                guard counter.acquire() else {
                    return channel.eventLoop.makeFailedFuture(TooManyConnections())
                }
                channel.closeFuture.whenComplete { _ in counter.release() }
                return channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(MetricsConnectionGuard(limits: limits))
                    try pipeline.addHandler(ByteToMessageHandler(
                        HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes, informationalResponseStrategy: .drop, limitConfiguration: decoderLimits),
                        maximumBufferSize: limits.maxRequestBytes))
                    try pipeline.addHandler(HTTPResponseEncoder())
                    try pipeline.addHandler(MetricsRequestHandler(limits: limits, responder: responder))
                }
            }
        do {
            let channel = try await bootstrap.bind(host: host, port: port).get()
            return MetricsServer(port: channel.localAddress?.port ?? port, limits: limits, group: group, channel: channel, counter: counter)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// Stops accepting, closes every connection and the thread.
    package func close() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }

    struct TooManyConnections: Error {}
}

/// Open connections, counted across the event loop and the closures that accept and close them.
final class ConnectionCounter: Sendable {
    let limit: Int
    let count = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = limit
    }

    /// Counts one more connection, unless `limit` are open.
    func acquire() -> Bool {
        var current = count.load(ordering: .relaxed)
        while current < limit {
            let (exchanged, original) = count.compareExchange(expected: current, desired: current + 1, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
        return false
    }

    func release() {
        count.subtract(1, ordering: .relaxed)
    }
}
