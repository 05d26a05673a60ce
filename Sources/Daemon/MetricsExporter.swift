import Logging
import MetricsExport
import NIOCore
import NIOHTTP1
import NIOPosix

/// Publishes `DaemonMetrics`: an HTTP `/metrics` endpoint on `metrics_listen` (with `/healthz`
/// when given a heartbeat), and the node_exporter textfile at `metrics_file`, rewritten every
/// `interval` and once more at stop. Both are off unless the job file names them.
package final class MetricsExporter: Sendable {
    package struct Configuration: Sendable {
        /// `HOST:PORT` (`[::1]:9464` for IPv6); nil: no HTTP endpoint.
        package var listen: String?
        /// Absolute path of the textfile; nil: none.
        package var file: String?
        /// How often the textfile is rewritten. node_exporter reads it on every scrape; 15 s
        /// keeps it as fresh as a typical scrape interval.
        package var interval: Duration
        /// `/healthz` answers 200 while the loop beat this within `healthWindow`, else 503;
        /// nil: `/healthz` is not served.
        package var heartbeat: LoopHeartbeat?
        package var healthWindow: Duration

        package init(listen: String? = nil, file: String? = nil, interval: Duration = .seconds(15),
                     heartbeat: LoopHeartbeat? = nil, healthWindow: Duration = .seconds(60)) {
            self.listen = listen
            self.file = file
            self.interval = interval
            self.heartbeat = heartbeat
            self.healthWindow = healthWindow
        }
    }

    /// A `metrics_listen` that cannot be used.
    package struct ListenError: Error, Sendable, CustomStringConvertible {
        package var listen: String
        package var message: String
        package var description: String { "cannot serve metrics on \(listen): \(message)" }
    }

    /// The port bound for `/metrics`, or nil without an HTTP endpoint.
    package let port: Int?
    private let metrics: DaemonMetrics
    private let textfile: MetricsTextfile?
    private let group: MultiThreadedEventLoopGroup?
    private let channel: (any Channel)?
    private let writer: Task<Void, Never>?
    private let logger: Logger

    private init(port: Int?, metrics: DaemonMetrics, textfile: MetricsTextfile?, group: MultiThreadedEventLoopGroup?,
                 channel: (any Channel)?, writer: Task<Void, Never>?, logger: Logger) {
        self.port = port
        self.metrics = metrics
        self.textfile = textfile
        self.group = group
        self.channel = channel
        self.writer = writer
        self.logger = logger
    }

    /// Binds the endpoint and writes the textfile once. Throws `ListenError` when the address
    /// cannot be bound: an operator who asked for metrics must not silently get none.
    package static func start(_ configuration: Configuration, metrics: DaemonMetrics, logger: Logger) async throws -> MetricsExporter {
        var group: MultiThreadedEventLoopGroup?
        var channel: (any Channel)?
        var port: Int?
        if let listen = configuration.listen {
            let (host, requestedPort) = try parse(listen)
            // One thread: a scrape every few seconds needs no more.
            let loops = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            let health = configuration.heartbeat.map { MetricsHTTPHandler.Health(heartbeat: $0, window: configuration.healthWindow) }
            let bootstrap = ServerBootstrap(group: loops)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(MetricsHTTPHandler(metrics: metrics, health: health))
                    }
                }
            do {
                let bound = try await bootstrap.bind(host: host, port: requestedPort).get()
                channel = bound
                port = bound.localAddress?.port ?? requestedPort
            } catch {
                try? await loops.shutdownGracefully()
                throw ListenError(listen: listen, message: "\(error)")
            }
            group = loops
            logger.info("serving metrics", metadata: ["event": "metrics", "metrics_listen": "\(listen)", "port": "\(port ?? requestedPort)"])
        }
        let textfile = configuration.file.map(MetricsTextfile.init(path:))
        var writer: Task<Void, Never>?
        if let textfile {
            Self.write(textfile, metrics: metrics, logger: logger)
            let interval = configuration.interval
            writer = Task {
                while !Task.isCancelled {
                    do { try await Task.sleep(for: interval) } catch { return }
                    Self.write(textfile, metrics: metrics, logger: logger)
                }
            }
        }
        return MetricsExporter(port: port, metrics: metrics, textfile: textfile, group: group, channel: channel, writer: writer, logger: logger)
    }

    /// Writes the textfile a last time (the final counts) and closes the endpoint.
    package func stop() async {
        writer?.cancel()
        await writer?.value
        if let textfile { Self.write(textfile, metrics: metrics, logger: logger) }
        try? await channel?.close()
        try? await group?.shutdownGracefully()
    }

    private static func write(_ textfile: MetricsTextfile, metrics: DaemonMetrics, logger: Logger) {
        do {
            try textfile.write(metrics.exposition())
        } catch {
            logger.warning("cannot write the metrics file", metadata: ["event": "metrics", "metrics_file": "\(textfile.path)", "error": "\(error)"])
        }
    }

    /// `127.0.0.1:9464`, `[::1]:9464`, `:9464` (all addresses).
    static func parse(_ listen: String) throws -> (host: String, port: Int) {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
            throw ListenError(listen: listen, message: "expected HOST:PORT")
        }
        var host = String(listen[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }
}
