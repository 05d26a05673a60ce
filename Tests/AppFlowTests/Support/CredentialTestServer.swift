import NIOCore
import NIOHTTP1
import NIOPosix

/// A request as the test server received it.
struct TestHTTPRequest: Sendable {
    var method: String
    var path: String
    var query: String
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

struct TestHTTPResponse: Sendable {
    var status: Int
    var headers: [(name: String, value: String)] = []
    var body: [UInt8] = []

    static func text(_ status: Int, _ text: String, contentType: String = "text/plain") -> TestHTTPResponse {
        TestHTTPResponse(status: status, headers: [("content-type", contentType)], body: Array(text.utf8))
    }
}

/// A loopback HTTP/1.1 server for the credential tests: each whole request goes to `respond`,
/// whose answer is sent back on a connection that is then closed.
final class CredentialTestServer: Sendable {
    let channel: any Channel
    let port: Int

    private init(channel: any Channel, port: Int) {
        self.channel = channel
        self.port = port
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    static func start(respond: @escaping @Sendable (TestHTTPRequest) -> TestHTTPResponse) async throws -> CredentialTestServer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                do {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(respond: respond))
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        guard let port = channel.localAddress?.port else { throw ServerError() }
        return CredentialTestServer(channel: channel, port: port)
    }

    func stop() async throws {
        try await channel.close()
    }

    /// A loopback port nothing listens on: a server bound and closed again.
    static func closedPort() async throws -> Int {
        let server = try await start { _ in .text(500, "") }
        let port = server.port
        try await server.stop()
        return port
    }

    struct ServerError: Error {}

    final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let respond: @Sendable (TestHTTPRequest) -> TestHTTPResponse
        var head: HTTPRequestHead?
        var body: [UInt8] = []

        init(respond: @escaping @Sendable (TestHTTPRequest) -> TestHTTPResponse) {
            self.respond = respond
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body = []
            case .body(var buffer):
                body += buffer.readBytes(length: buffer.readableBytes) ?? []
            case .end:
                guard let head else { return }
                let parts = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
                let request = TestHTTPRequest(
                    method: head.method.rawValue,
                    path: String(parts[0]),
                    query: parts.count > 1 ? String(parts[1]) : "",
                    headers: head.headers.map { (name: $0.name, value: $0.value) },
                    body: body
                )
                let response = respond(request)
                var headers = HTTPHeaders(response.headers.map { ($0.name, $0.value) })
                headers.replaceOrAdd(name: "content-length", value: String(response.body.count))
                headers.replaceOrAdd(name: "connection", value: "close")
                let status = HTTPResponseStatus(statusCode: response.status)
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: response.body)))), promise: nil)
                let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
                context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in loopBound.value.close(promise: nil) }
                self.head = nil
            }
        }
    }
}
