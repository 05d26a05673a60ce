import NIOCore
import NIOHTTP1

/// Collects one HTTP/1 request, hands it to `EmulatorCore`, and writes, delays or drops the
/// answer. `HTTPServerPipelineHandler` in front of it keeps pipelined answers in order.
final class HTTPRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// AppFlow inputs are tiny; anything this large is not a real client.
    static let maximumBodySize = 1 << 20

    private let core: EmulatorCore
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var bodyTooLarge = false

    init(core: EmulatorCore) {
        self.core = core
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body = nil
            bodyTooLarge = false
        case .body(var chunk):
            if bodyTooLarge { return }
            if (body?.readableBytes ?? 0) + chunk.readableBytes > Self.maximumBodySize {
                bodyTooLarge = true
                body = nil
            } else if body == nil {
                body = chunk
            } else {
                body?.writeBuffer(&chunk)
            }
        case .end:
            guard let requestHead = head else { return }
            head = nil
            if bodyTooLarge {
                let response = EmulatorResponse.json(413, Array(#"{"message":"Request entity too large"}"#.utf8), requestId: nil)
                write(response, keepAlive: false, version: requestHead.version, context: context)
                return
            }
            let bytes = body.map { Array($0.readableBytesView) } ?? []
            body = nil
            var headers: [(name: String, value: String)] = []
            headers.reserveCapacity(requestHead.headers.count)
            for (name, value) in requestHead.headers {
                headers.append((name, value))
            }
            let request = IncomingRequest(
                method: requestHead.method.rawValue, uri: requestHead.uri, headers: headers, body: bytes)
            let response = core.handle(request)
            let keepAlive = requestHead.isKeepAlive
            if response.delayMs > 0 {
                let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                context.eventLoop.scheduleTask(in: .milliseconds(Int64(response.delayMs))) {
                    let (handler, context) = bound.value
                    handler.finish(response, keepAlive: keepAlive, version: requestHead.version, context: context)
                }
            } else {
                finish(response, keepAlive: keepAlive, version: requestHead.version, context: context)
            }
        }
    }

    private func finish(_ response: EmulatorResponse, keepAlive: Bool, version: HTTPVersion, context: ChannelHandlerContext) {
        if response.drop {
            context.close(promise: nil)
        } else {
            write(response, keepAlive: keepAlive, version: version, context: context)
        }
    }

    private func write(_ response: EmulatorResponse, keepAlive: Bool, version: HTTPVersion, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.reserveCapacity(response.headers.count + 2)
        for (name, value) in response.headers {
            headers.add(name: name, value: value)
        }
        headers.add(name: "Content-Length", value: String(response.body.count))
        if !keepAlive {
            headers.add(name: "Connection", value: "close")
        }
        let head = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: response.body.count)
        buffer.writeBytes(response.body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                channel.close(promise: nil)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
