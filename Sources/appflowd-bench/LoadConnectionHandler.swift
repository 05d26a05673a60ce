import Foundation
import NIOCore
import NIOHTTP1
import SigV4

/// One keep-alive connection that sends signed `StartFlow` requests back to back: the next
/// request leaves as soon as the previous answer has been read (one request in flight per
/// connection, like an SDK client). Every request carries a fresh client token, so each one
/// makes the emulator verify a signature and create a run.
final class LoadConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let signer: SigV4Signer
    private let hostHeader: String
    private let flow: String
    private let tokenPrefix: String
    private let counters: LoadCounters
    private var sequence = 0
    private var lastStatus: HTTPResponseStatus = .ok

    init(signer: SigV4Signer, hostHeader: String, flow: String, tokenPrefix: String, counters: LoadCounters) {
        self.signer = signer
        self.hostHeader = hostHeader
        self.flow = flow
        self.tokenPrefix = tokenPrefix
        self.counters = counters
    }

    func channelActive(context: ChannelHandlerContext) {
        sendNext(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !counters.stopping.load(ordering: .relaxed) {
            counters.lostConnections.add(1, ordering: .relaxed)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            lastStatus = head.status
        case .body:
            break
        case .end:
            if lastStatus == .ok {
                counters.succeeded.add(1, ordering: .relaxed)
            } else {
                counters.failed.add(1, ordering: .relaxed)
            }
            if counters.stopping.load(ordering: .relaxed) {
                context.close(promise: nil)
            } else {
                sendNext(context: context)
            }
        }
    }

    private func sendNext(context: ChannelHandlerContext) {
        sequence += 1
        let body = Array(#"{"flowName":"\#(flow)","clientToken":"\#(tokenPrefix)-\#(sequence)"}"#.utf8)
        let unsigned: [(name: String, value: String)] = [
            (name: "host", value: hostHeader),
            (name: "content-type", value: "application/json"),
        ]
        let request = SigV4Request(method: "POST", path: "/start-flow", query: "", headers: unsigned, body: body)
        var headers = HTTPHeaders()
        for header in unsigned { headers.add(name: header.name, value: header.value) }
        for header in signer.sign(request, date: Date()) { headers.add(name: header.name, value: header.value) }
        headers.add(name: "content-length", value: String(body.count))
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/start-flow", headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
