import MetricsExport
import NIOCore
import NIOHTTP1

/// Answers `GET /metrics` with the Prometheus text exposition of the daemon's metrics, and
/// `GET /healthz` with 200 while the scheduling loop's heartbeat is recent, 503 when it is not
/// (a liveness probe that means something); anything else gets 404 or 405. Request bodies are
/// ignored: a scraper sends none.
final class MetricsHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// What Prometheus and node_exporter serve for the text format.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// What `/healthz` reads: the loop's heartbeat and how old a beat may be.
    struct Health: Sendable {
        var heartbeat: LoopHeartbeat
        var window: Duration
    }

    private let metrics: DaemonMetrics
    private let health: Health?
    private var head: HTTPRequestHead?

    init(metrics: DaemonMetrics, health: Health? = nil) {
        self.metrics = metrics
        self.health = health
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
        case .body:
            break
        case .end:
            guard let requestHead = head else { return }
            head = nil
            respond(to: requestHead, context: context)
        }
    }

    private func respond(to request: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = request.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.uri
        let status: HTTPResponseStatus
        let body: String
        var headers = HTTPHeaders()
        let healthPath = health == nil ? nil : "/healthz"
        switch (request.method, path) {
        case (.GET, "/metrics"), (.HEAD, "/metrics"):
            status = .ok
            body = metrics.exposition()
            headers.add(name: "Content-Type", value: Self.contentType)
        case (.GET, healthPath), (.HEAD, healthPath):
            (status, body) = health.map { Self.healthz($0, now: .now) } ?? (.notFound, "")
            headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
            headers.add(name: "Cache-Control", value: "no-store")
        case (_, "/metrics"), (_, healthPath):
            status = .methodNotAllowed
            body = "only GET and HEAD\n"
            headers.add(name: "Allow", value: "GET, HEAD")
            headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        default:
            status = .notFound
            body = health == nil ? "appflowd serves /metrics only\n" : "appflowd serves /metrics and /healthz only\n"
            headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        }
        let bytes = Array(body.utf8)
        headers.add(name: "Content-Length", value: "\(bytes.count)")
        let keepAlive = request.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))), promise: nil)
        if request.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: bytes)))), promise: nil)
        }
        let done = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: done)
        if !keepAlive {
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            done.futureResult.whenComplete { _ in bound.value.close(promise: nil) }
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
