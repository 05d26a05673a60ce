import NIOCore
import NIOHTTP1

/// The HTTP side of a metrics connection: each complete request is answered by the server's
/// responder, one at a time. At most one request is read ahead: it waits until the answer in
/// flight is written; a client that pipelines further is disconnected. A request over
/// `maxRequestBytes` gets 431 or 413, and a request that cannot be parsed 400, each closing the
/// connection.
final class MetricsRequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let limits: MetricsServerLimits
    private let responder: MetricsServer.Responder
    /// The request being received, and its size so far.
    private var receiving: HTTPRequestHead?
    private var receivedBytes = 0
    /// A complete request waiting for the answer in flight.
    private var queued: HTTPRequestHead?
    private var responding = false
    private var closing = false

    init(limits: MetricsServerLimits, responder: @escaping MetricsServer.Responder) {
        self.limits = limits
        self.responder = responder
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            receiving = head
            receivedBytes = Self.size(of: head)
            if receivedBytes > limits.maxRequestBytes { reject(.requestHeaderFieldsTooLarge, context: context) }
        case .body(let body):
            receivedBytes += body.readableBytes
            if receivedBytes > limits.maxRequestBytes { reject(.payloadTooLarge, context: context) }
        case .end:
            guard let head = receiving else { return }
            receiving = nil
            if !responding {
                respond(to: head, context: context)
            } else if queued == nil {
                queued = head
            } else {
                // A third request before the first is answered: more than we read ahead.
                closing = true
                context.close(promise: nil)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !closing else { return }
        let tooLarge = error is ByteToMessageDecoderError.PayloadTooLargeError || (error as? HTTPParserError) == .headerOverflow
        reject(tooLarge ? .requestHeaderFieldsTooLarge : .badRequest, context: context)
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        responding = true
        context.triggerUserOutboundEvent(MetricsConnectionEvent.responding, promise: nil)
        let response = responder(head)
        let keepAlive = head.isKeepAlive
        let written = write(response, version: head.version, withBody: head.method != .HEAD, close: !keepAlive, context: context)
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        written.whenComplete { result in
            let (handler, context) = bound.value
            handler.responding = false
            guard case .success = result, keepAlive, !handler.closing else {
                handler.closing = true
                context.close(promise: nil)
                return
            }
            if let next = handler.queued {
                handler.queued = nil
                context.triggerUserOutboundEvent(MetricsConnectionEvent.responseWritten(more: true), promise: nil)
                handler.respond(to: next, context: context)
            } else {
                context.triggerUserOutboundEvent(MetricsConnectionEvent.responseWritten(more: false), promise: nil)
            }
        }
    }

    /// Answers `status` with `Connection: close`, then closes.
    private func reject(_ status: HTTPResponseStatus, context: ChannelHandlerContext) {
        closing = true
        guard !responding else {
            context.close(promise: nil)
            return
        }
        let response = MetricsServer.Response(status: status, text: "\(status.code) \(status.reasonPhrase)\n")
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        write(response, version: .http1_1, withBody: true, close: true, context: context).whenComplete { _ in
            bound.value.close(promise: nil)
        }
    }

    private func write(
        _ response: MetricsServer.Response, version: HTTPVersion, withBody: Bool, close: Bool, context: ChannelHandlerContext
    ) -> EventLoopFuture<Void> {
        var headers = HTTPHeaders(response.headers)
        headers.add(name: "Content-Length", value: "\(response.body.count)")
        if close { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: response.status, headers: headers))), promise: nil)
        if withBody, !response.body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))), promise: nil)
        }
        let done = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: done)
        return done.futureResult
    }

    /// The request line and headers, as sent.
    static func size(of head: HTTPRequestHead) -> Int {
        head.uri.utf8.count + head.method.rawValue.utf8.count + 12
            + head.headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 }
    }
}
