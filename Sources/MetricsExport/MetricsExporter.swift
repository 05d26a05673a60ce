import JobFile
import Logging
import NIOHTTP1
import ServiceLifecycle

/// Publishes `DaemonMetrics`, as a service of the daemon's `ServiceGroup`: `GET /metrics` (and
/// `/healthz` when given the loop's heartbeat) on `metrics_listen` through the hardened
/// `MetricsServer`, and the node_exporter textfile at `metrics_file`, rewritten every `interval`
/// by `run()` and once more when the service stops. Both are off unless the job file names them.
package final class MetricsExporter: Service {
    package struct Configuration: Sendable {
        /// `HOST:PORT` (`[::1]:9464` for IPv6), the host written out; nil: no HTTP endpoint.
        package var listen: String?
        /// Absolute path of the textfile; nil: none.
        package var file: String?
        /// How often the textfile is rewritten. node_exporter reads it on every scrape; 15 s
        /// keeps it as fresh as a typical scrape interval.
        package var interval: Duration
        /// What one client may take; `maxConnections` within the descriptor budget.
        package var limits: MetricsServerLimits
        /// `/healthz` answers 200 while the loop beat this within `healthWindow`, else 503;
        /// nil: `/healthz` is not served.
        package var heartbeat: LoopHeartbeat?
        package var healthWindow: Duration

        package init(listen: String? = nil, file: String? = nil, interval: Duration = .seconds(15), limits: MetricsServerLimits = .init(),
                     heartbeat: LoopHeartbeat? = nil, healthWindow: Duration = .seconds(60)) {
            self.listen = listen
            self.file = file
            self.interval = interval
            self.limits = limits
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

    /// What `/healthz` reads: the loop's heartbeat and how old a beat may be.
    struct Health: Sendable {
        var heartbeat: LoopHeartbeat
        var window: Duration
    }

    /// What Prometheus and node_exporter serve for the text format.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The port bound for `/metrics`, or nil without an HTTP endpoint.
    package var port: Int? { server?.port }
    private let metrics: DaemonMetrics
    private let server: MetricsServer?
    private let textfile: MetricsTextfile?
    private let interval: Duration
    private let logger: Logger

    private init(metrics: DaemonMetrics, server: MetricsServer?, textfile: MetricsTextfile?, interval: Duration, logger: Logger) {
        self.metrics = metrics
        self.server = server
        self.textfile = textfile
        self.interval = interval
        self.logger = logger
    }

    /// Binds the endpoint and writes the textfile once, before READY. Throws `ListenError` when
    /// the address cannot be bound: an operator who asked for metrics must not silently get none.
    package static func start(_ configuration: Configuration, metrics: DaemonMetrics, logger: Logger) async throws -> MetricsExporter {
        var server: MetricsServer?
        if let listen = configuration.listen {
            let address: MetricsListen
            switch MetricsListen.parse(listen) {
            case .success(let parsed): address = parsed
            case .failure(let problem): throw ListenError(listen: listen, message: problem.message)
            }
            let health = configuration.heartbeat.map { Health(heartbeat: $0, window: configuration.healthWindow) }
            do {
                server = try await MetricsServer.bind(host: address.host, port: address.port, limits: configuration.limits) { request in
                    route(request, metrics: metrics, health: health)
                }
            } catch {
                throw ListenError(listen: listen, message: "\(error)")
            }
            logger.info("serving metrics", metadata: [
                "event": "metrics", "metrics_listen": "\(listen)", "port": "\(server?.port ?? address.port)",
                "max_connections": "\(configuration.limits.maxConnections)",
            ])
        }
        let exporter = MetricsExporter(
            metrics: metrics, server: server, textfile: configuration.file.map(MetricsTextfile.init(path:)),
            interval: configuration.interval, logger: logger)
        exporter.writeTextfile()
        return exporter
    }

    /// Rewrites the textfile every `interval` until the group shuts down gracefully (or the task
    /// is cancelled), then writes it a last time, with the final counts, and closes the endpoint.
    package func run() async {
        if textfile != nil {
            await cancelWhenGracefulShutdown {
                while !Task.isCancelled {
                    do { try await Task.sleep(for: self.interval) } catch { return }
                    self.writeTextfile()
                }
            }
        } else {
            try? await gracefulShutdown()
        }
        writeTextfile()
        await server?.close()
    }

    private func writeTextfile() {
        guard let textfile else { return }
        do {
            try textfile.write(metrics.exposition())
        } catch {
            logger.warning("cannot write the metrics file", metadata: ["event": "metrics", "metrics_file": "\(textfile.path)", "error": "\(error)"])
        }
    }

    /// `/metrics`, and `/healthz` with a heartbeat; 405 for another method, 404 for another path.
    static func route(_ request: HTTPRequestHead, metrics: DaemonMetrics, health: Health?) -> MetricsServer.Response {
        let path = request.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.uri
        let readOnly = request.method == .GET || request.method == .HEAD
        switch (path, health) {
        case ("/metrics", _) where readOnly:
            return .init(status: .ok, headers: [("Content-Type", contentType)], body: Array(metrics.exposition().utf8))
        case ("/healthz", let health?) where readOnly:
            let (status, text) = healthz(health, now: .now)
            return .init(status: status, text: text, headers: [("Cache-Control", "no-store")])
        case ("/metrics", _), ("/healthz", _?):
            return .init(status: .methodNotAllowed, text: "only GET and HEAD\n", headers: [("Allow", "GET, HEAD")])
        default:
            return .init(status: .notFound, text: health == nil ? "appflowd serves /metrics only\n" : "appflowd serves /metrics and /healthz only\n")
        }
    }

    /// 200 when the loop beat within the window, 503 (with how long ago) when it did not.
    static func healthz(_ health: Health, now: ContinuousClock.Instant) -> (HTTPResponseStatus, String) {
        guard let last = health.heartbeat.last else {
            return (.serviceUnavailable, "scheduling loop has not started\n")
        }
        // Whole seconds, rounded down (an instant before the last beat reads as 0).
        let text = "last pass of the scheduling loop \(max(0, (now - last).components.seconds))s ago"
        if health.heartbeat.isAlive(now: now, within: health.window) {
            return (.ok, "ok: " + text + "\n")
        }
        return (.serviceUnavailable, "stalled: " + text + " (limit \(health.window.components.seconds)s)\n")
    }
}
