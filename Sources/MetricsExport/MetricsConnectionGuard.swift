import NIOCore

/// What `MetricsRequestHandler` tells `MetricsConnectionGuard` about the connection's request.
enum MetricsConnectionEvent: Sendable {
    /// A request is complete and its response is being written.
    case responding
    /// The response is written; `more`: another request was already read and is answered next.
    case responseWritten(more: Bool)
}

/// The first handler of a metrics connection, on its raw bytes: the connection's clock and its
/// reads. Idle (no request in progress): closed after `idleTimeout`. Receiving (a request's
/// first byte came): closed unless the whole request is in within `headerTimeout`. Responding:
/// nothing more is read from the socket until the response is written (so a client that
/// pipelines requests and never reads the answers fills its own socket, not the daemon's
/// memory), and closed unless it is written within `writeTimeout`.
final class MetricsConnectionGuard: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    enum Phase { case idle, receiving, responding }

    private let limits: MetricsServerLimits
    private(set) var phase = Phase.idle
    private var timer: Scheduled<Void>?
    private var readHeld = false

    init(limits: MetricsServerLimits) {
        self.limits = limits
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(limits.idleTimeout, context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if phase == .idle {
            phase = .receiving
            arm(limits.headerTimeout, context: context)
        }
        context.fireChannelRead(data)
    }

    func read(context: ChannelHandlerContext) {
        if phase == .responding {
            readHeld = true
        } else {
            context.read()
        }
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let event = event as? MetricsConnectionEvent else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        switch event {
        case .responding, .responseWritten(more: true):
            phase = .responding
            arm(limits.writeTimeout, context: context)
        case .responseWritten(more: false):
            phase = .idle
            arm(limits.idleTimeout, context: context)
            if readHeld {
                readHeld = false
                context.read()
            }
        }
        promise?.succeed()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    /// Replaces the running deadline: when it passes, the connection is closed.
    private func arm(_ timeout: Duration, context: ChannelHandlerContext) {
        timer?.cancel()
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            bound.value.close(promise: nil)
        }
    }
}
