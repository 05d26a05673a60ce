import Scheduling
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOSSL
import SigV4
import Synchronization

/// Calls AppFlow's rest-json API over async-http-client, signing every request with SigV4.
package final class AppFlowClient: Sendable {
    package struct Configuration: Sendable {
        package var region: String
        package var endpoint: Endpoint
        package var credentials: any CredentialProvider
        /// A PEM bundle that replaces the system's trust roots (`AWS_CA_BUNDLE`).
        package var caBundlePath: String?
        package var maxConnections: Int = 16
        package var connectTimeout: Duration = .seconds(5)
        /// The whole request, from sending to the last byte of the answer.
        package var requestTimeout: Duration = .seconds(30)
        package var proxy: ProxySettings?
        package var userAgent: String = "appflowd/\(AppFlowClient.version)"
        /// Where credential refresh problems are reported.
        package var logger = Logger(label: "appflowd.credentials", factory: { _ in SwiftLogNoOpLogHandler() })

        package init(region: String, endpoint: Endpoint, credentials: any CredentialProvider) {
            self.region = region
            self.endpoint = endpoint
            self.credentials = credentials
        }
    }

    package static let version = "0.1.0"
    static let maxResponseBytes = 8 * 1024 * 1024

    package let configuration: Configuration
    let http: HTTPClient
    /// One signer per set of credentials, so its signing-key cache is reused across requests.
    private let signerCache = Mutex<(credentials: SigV4Credentials, signer: SigV4Signer)?>(nil)
    let credentialCache: CredentialCache
    let now: @Sendable () -> Date
    /// When the last answer was read in full (`warm()` skips a connection used this recently).
    let lastExchange = Mutex<ContinuousClock.Instant?>(nil)
    /// StartFlow requests signed ahead of their fire time, by client token (`presignStartFlows`).
    let presigned = Mutex<[String: Presigned]>([:])
    /// Requests that went out as signed ahead (tests and benchmarks).
    let presignedSends = Atomic<Int>(0)

    package init(configuration: Configuration, now: @escaping @Sendable () -> Date = Date.init) throws {
        self.configuration = configuration
        self.now = now
        var tls = TLSConfiguration.makeClientConfiguration()
        try configuration.validate()
        if let bundle = configuration.caBundlePath {
            tls.trustRoots = .file(bundle)
        }
        var http = HTTPClient.Configuration(
            tlsConfiguration: tls,
            redirectConfiguration: .disallow,
            timeout: .init(connect: .nanoseconds(configuration.connectTimeout.nanoseconds), read: .nanoseconds(configuration.requestTimeout.nanoseconds)),
            connectionPool: Self.connectionPool(maxConnections: configuration.maxConnections),
            proxy: configuration.proxy?.proxy(for: configuration.endpoint),
            decompression: .disabled
        )
        http.httpVersion = .http1Only
        self.http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: http)
        credentialCache = CredentialCache(provider: configuration.credentials, logger: configuration.logger, now: now)
    }

    /// Where the credentials come from (a source's name, never a secret), resolving them now
    /// and keeping them for the first call; throws what the first call would meet.
    package func credentialSource() async throws -> String {
        try await credentialCache.credentials().source
    }

    /// A refused connection fails its requests at once: async-http-client would otherwise retry
    /// the connection until the connect timeout (5 s per attempt, minutes over a slot's retries),
    /// and the scheduler's retry rules already decide whether and when to try again.
    static func connectionPool(maxConnections: Int) -> HTTPClient.Configuration.ConnectionPool {
        var pool = HTTPClient.Configuration.ConnectionPool(idleTimeout: .nanoseconds(idleConnectionTimeout.nanoseconds), concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, maxConnections))
        pool.retryConnectionEstablishment = false
        return pool
    }

    /// Must be called before the client is released.
    package func shutdown() async throws {
        try await http.shutdown()
    }

    // MARK: Operations

    /// StartFlow. The token makes the call idempotent for 8 hours: the same token gives the same run.
    package func startFlow(flowName: String, clientToken: String?) async throws -> StartFlowResult {
        let body = Self.startFlowBody(flowName: flowName, clientToken: clientToken)
        let answer = try await send(path: "/start-flow", body: body, presigned: clientToken.flatMap(takePresigned))
        return try decode(StartFlowResult.self, from: answer, operation: "StartFlow")
    }

    package func describeFlow(flowName: String) async throws -> FlowDescription {
        let answer = try await send(path: "/describe-flow", body: JSONBody.object([("flowName", .string(flowName))]))
        return try decode(DescribeFlowWire.self, from: answer, operation: "DescribeFlow").model
    }

    /// One page of the flow's runs, newest first.
    package func describeFlowExecutionRecords(flowName: String, maxResults: Int? = nil, nextToken: String? = nil) async throws -> FlowExecutionPage {
        let body = JSONBody.object([
            ("flowName", .string(flowName)),
            ("maxResults", maxResults.map { .int($0) } ?? .absent),
            ("nextToken", nextToken.map { .string($0) } ?? .absent),
        ])
        let answer = try await send(path: "/describe-flow-execution-records", body: body)
        return try decode(ExecutionRecordsWire.self, from: answer, operation: "DescribeFlowExecutionRecords").model
    }

    /// Pages through the flow's runs until `executionId` is found; nil when it is not listed.
    package func findExecution(flowName: String, executionId: String, maxPages: Int = 50) async throws -> FlowExecution? {
        var token: String?
        for _ in 0..<maxPages {
            let page = try await describeFlowExecutionRecords(flowName: flowName, maxResults: 100, nextToken: token)
            if let match = page.executions.first(where: { $0.executionId == executionId }) { return match }
            guard let next = page.nextToken else { return nil }
            token = next
        }
        return nil
    }

    // MARK: Transport

    struct Answer {
        var status: Int
        var body: [UInt8]
    }

    func send(path: String, body: [UInt8], presigned: Presigned? = nil) async throws -> Answer {
        let credentials = try await credentialCache.credentials()
        let endpoint = configuration.endpoint
        let headers: [(name: String, value: String)]
        if let presigned, presigned.fits(body: body, credentials: credentials.signing, nowSeconds: now().timeIntervalSince1970) {
            headers = presigned.headers
            presignedSends.add(1, ordering: .relaxed)
        } else {
            headers = signedHeaders(path: path, body: body, credentials: credentials.signing, date: now())
        }

        var request = HTTPClientRequest(url: endpoint.url(path: path))
        request.method = .POST
        for header in headers where header.name.lowercased() != "host" {
            request.headers.add(name: header.name, value: header.value)
        }
        request.headers.replaceOrAdd(name: "host", value: endpoint.hostHeader)
        request.headers.add(name: "user-agent", value: configuration.userAgent)
        request.headers.add(name: "content-length", value: String(body.count))
        request.body = .bytes(ByteBuffer(bytes: body))

        let response: HTTPClientResponse
        var collected: ByteBuffer
        do {
            response = try await http.execute(request, timeout: .nanoseconds(configuration.requestTimeout.nanoseconds))
            collected = try await response.body.collect(upTo: Self.maxResponseBytes)
        } catch {
            throw Self.transportError(error, endpoint: endpoint)
        }
        noteExchange()
        let bytes = collected.readBytes(length: collected.readableBytes) ?? []
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            let responseHeaders = response.headers.map { (name: $0.name, value: $0.value) }
            throw AppFlowServiceError.decode(statusCode: status, headers: responseHeaders, body: bytes)
        }
        return Answer(status: status, body: bytes)
    }

    /// The request's headers with its SigV4 signature, as of `date`.
    func signedHeaders(path: String, body: [UInt8], credentials: SigV4Credentials, date: Date) -> [(name: String, value: String)] {
        let endpoint = configuration.endpoint
        var headers: [(name: String, value: String)] = [
            ("host", endpoint.hostHeader),
            ("content-type", "application/json"),
        ]
        headers += signer(for: credentials).sign(SigV4Request(method: "POST", path: endpoint.basePath + path, headers: headers, body: body), date: date)
        return headers
    }

    func signer(for credentials: SigV4Credentials) -> SigV4Signer {
        signerCache.withLock { cache in
            if let cache, cache.credentials == credentials { return cache.signer }
            let signer = SigV4Signer(credentials: credentials, region: configuration.region, service: "appflow")
            cache = (credentials, signer)
            return signer
        }
    }

    func decode<T: Decodable>(_ type: T.Type, from answer: Answer, operation: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(answer.body.isEmpty ? Array("{}".utf8) : answer.body))
        } catch {
            throw AppFlowTransportError(.malformedResponse, "\(operation) answered HTTP \(answer.status) with a body that is not the expected JSON",
                                        accepted: (200..<300).contains(answer.status))
        }
    }

    /// The endpoint's host and port, and the cause in plain words (`TransportCause`):
    /// `appflow.eu-west-1.amazonaws.com:443: connection refused (nothing listens there)`.
    static func transportError(_ error: any Error, endpoint: Endpoint) -> AppFlowTransportError {
        if let transport = error as? AppFlowTransportError { return transport }
        let place = endpoint.host.contains(":") ? "[\(endpoint.host)]:\(endpoint.port)" : "\(endpoint.host):\(endpoint.port)"
        if error is NIOTooManyBytesError {
            return AppFlowTransportError(.malformedResponse, "\(place): response larger than \(maxResponseBytes) bytes")
        }
        let (kind, cause) = TransportCause.classify(error)
        return AppFlowTransportError(kind, "\(place): \(cause)")
    }
}
