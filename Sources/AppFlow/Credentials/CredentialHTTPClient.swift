import Scheduling
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL

/// The few HTTP calls credential providers make (STS, the container endpoint, instance
/// metadata). Each call uses its own short-lived `HTTPClient`, shut down before returning:
/// credentials are fetched about once an hour, so pooling buys nothing and nothing outlives
/// the provider.
package struct CredentialHTTPClient: Sendable {
    package enum Method: Sendable { case GET, PUT, POST }

    package struct Request: Sendable {
        package var method: Method
        package var url: String
        package var headers: [(name: String, value: String)]
        package var body: [UInt8]

        package init(method: Method, url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
            self.method = method
            self.url = url
            self.headers = headers
            self.body = body
        }
    }

    package struct Response: Sendable {
        package var status: Int
        package var body: [UInt8]
        package var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Why a call got no HTTP answer. `unreachable` (refused, no route, connect timeout) is what a
    /// machine outside EC2 sees for the metadata address, so providers can tell it apart.
    package struct TransportError: Error, Sendable, CustomStringConvertible {
        package enum Kind: Sendable { case unreachable, timeout, other }
        package var kind: Kind
        package var message: String
        package var description: String { message }
    }

    package var connectTimeout: Duration
    /// The whole exchange, from connecting to the last byte of the answer.
    package var requestTimeout: Duration
    /// A PEM bundle replacing the system trust roots (`AWS_CA_BUNDLE`), for https endpoints.
    package var caBundlePath: String?
    static let maxResponseBytes = 256 * 1024

    package init(connectTimeout: Duration = .seconds(5), requestTimeout: Duration = .seconds(10), caBundlePath: String? = nil) {
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.caBundlePath = caBundlePath
    }

    package func send(_ request: Request) async throws -> Response {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caBundlePath { tls.trustRoots = .file(caBundlePath) }
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls,
            redirectConfiguration: .disallow,
            timeout: .init(connect: .nanoseconds(connectTimeout.nanoseconds), read: .nanoseconds(requestTimeout.nanoseconds)),
            decompression: .disabled
        )
        configuration.httpVersion = .http1Only
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let result: Result<Response, TransportError>
        do {
            var outgoing = HTTPClientRequest(url: request.url)
            switch request.method {
            case .GET: outgoing.method = .GET
            case .PUT: outgoing.method = .PUT
            case .POST: outgoing.method = .POST
            }
            for header in request.headers { outgoing.headers.add(name: header.name, value: header.value) }
            if !request.body.isEmpty || request.method == .POST || request.method == .PUT {
                outgoing.headers.replaceOrAdd(name: "content-length", value: String(request.body.count))
                outgoing.body = .bytes(ByteBuffer(bytes: request.body))
            }
            let response = try await client.execute(outgoing, timeout: .nanoseconds(requestTimeout.nanoseconds))
            var collected = try await response.body.collect(upTo: Self.maxResponseBytes)
            let bytes = collected.readBytes(length: collected.readableBytes) ?? []
            result = .success(Response(status: Int(response.status.code), body: bytes))
        } catch {
            result = .failure(Self.classify(error))
        }
        try? await client.shutdown()
        return try result.get()
    }

    static func classify(_ error: any Error) -> TransportError {
        if let client = error as? HTTPClientError {
            switch client {
            case .connectTimeout:
                return TransportError(kind: .unreachable, message: "connect timed out")
            case .readTimeout, .writeTimeout, .deadlineExceeded, .tlsHandshakeTimeout:
                return TransportError(kind: .timeout, message: "timed out (\(client))")
            default:
                return TransportError(kind: .other, message: "\(client)")
            }
        }
        if error is NIOTooManyBytesError {
            return TransportError(kind: .other, message: "answer larger than \(maxResponseBytes) bytes")
        }
        if error is NIOSSLError {
            return TransportError(kind: .other, message: "TLS: \(error)")
        }
        // NIO's connection errors (refused, no route to host, network unreachable) land here.
        let text = String(describing: error)
        let unreachable = ["refused", "unreachable", "No route", "connectTimeout", "ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH"]
        if unreachable.contains(where: { text.contains($0) }) {
            return TransportError(kind: .unreachable, message: "cannot connect (\(text))")
        }
        return TransportError(kind: .other, message: text)
    }
}
