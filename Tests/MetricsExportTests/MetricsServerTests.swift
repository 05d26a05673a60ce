import NIOHTTP1
import Synchronization
import Testing
import TestSupport
@testable import MetricsExport

/// Issue 18, item 1: a client of the metrics listener, however slow or hostile, takes a bounded
/// share: connections beyond the cap are closed at once, idle and trickling connections are
/// closed after their timeouts, pipelined requests are read one ahead of the answer being
/// written, and oversized requests are refused.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct MetricsServerTests {
    static let body = String(repeating: "appflowd_padding 1\n", count: 2_000)

    /// A server answering every request with `body`, counting the requests.
    static func server(_ limits: MetricsServerLimits) async throws -> (MetricsServer, Atomic<Int>.Reference) {
        let answered = Atomic<Int>.Reference()
        let server = try await MetricsServer.bind(host: "127.0.0.1", port: 0, limits: limits) { head in
            answered.add()
            return MetricsServer.Response(status: head.uri == "/metrics" ? .ok : .notFound, text: body)
        }
        return (server, answered)
    }

    static let get = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"

    @Test func answersKeepAliveRequestsOneAfterTheOther() async throws {
        let (server, answered) = try await Self.server(.init())
        let connection = try await RawConnection(port: server.port)
        for _ in 0..<3 {
            try await connection.send(Self.get)
            _ = try await connection.receive(until: "\r\n\r\n")
            _ = try await connection.receive(until: "appflowd_padding 1\n" + String(repeating: "appflowd_padding 1\n", count: 1_999))
        }
        try await connection.send("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let last = try await connection.receiveUntilClosed()
        #expect(last.hasPrefix("HTTP/1.1 200 OK\r\n") && last.contains("Connection: close\r\n") && last.hasSuffix(Self.body))
        #expect(answered.value == 4)
        await server.close()
    }

    @Test func connectionsBeyondTheCapAreClosedAtOnceAndTheCapFreesUp() async throws {
        let (server, _) = try await Self.server(.init(maxConnections: 4))
        var held: [RawConnection] = []
        for _ in 0..<4 { held.append(try await RawConnection(port: server.port)) }
        try await eventually("4 connections counted") { server.openConnections == 4 }
        for _ in 0..<20 {
            let extra = try await RawConnection(port: server.port)
            #expect(await extra.isClosedByPeer(within: .seconds(5)), "refused beyond the cap")
        }
        #expect(server.openConnections == 4)
        // The held ones still work, and closing one lets a new one in.
        try await held[0].send(Self.get)
        _ = try await held[0].receive(until: "200 OK")
        held.removeLast().close()
        try await eventually("a slot freed") { server.openConnections == 3 }
        let next = try await RawConnection(port: server.port)
        try await next.send("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(try await next.receiveUntilClosed().hasPrefix("HTTP/1.1 200 OK"))
        await server.close()
    }

    @Test func anIdleConnectionIsClosedAfterTheIdleTimeout() async throws {
        let (server, answered) = try await Self.server(.init(headerTimeout: .seconds(30), idleTimeout: .milliseconds(300)))
        let silent = try await RawConnection(port: server.port)
        #expect(await silent.isClosedByPeer(within: .seconds(5)))
        // Idle again after an answer: the same.
        let kept = try await RawConnection(port: server.port)
        try await kept.send(Self.get)
        let text = try await kept.receiveUntilClosed(within: .seconds(5))
        #expect(text.hasPrefix("HTTP/1.1 200 OK") && answered.value == 1)
        try await eventually("no connection left") { server.openConnections == 0 }
        await server.close()
    }

    @Test func aRequestTrickledSlowerThanTheHeaderTimeoutIsCutOff() async throws {
        let (server, answered) = try await Self.server(.init(headerTimeout: .milliseconds(500), idleTimeout: .seconds(30)))
        let slow = try await RawConnection(port: server.port)
        let started = ContinuousClock.now
        var cut = false
        for piece in ["GET /met", "rics HTTP/1.1\r\n", "Host: x\r\n", "X-A: 1\r\n", "X-B: 2\r\n", "X-C: 3\r\n", "X-D: 4\r\n"] {
            do {
                try await slow.send(piece)
            } catch {
                cut = true
                break
            }
            try await Task.sleep(for: .milliseconds(150))
        }
        let closed = await slow.isClosedByPeer(within: .seconds(5))
        #expect(cut || closed)
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(answered.value == 0)
        await server.close()
    }

    @Test func aClientThatPipelinesAndNeverReadsIsDisconnectedNotQueuedFor() async throws {
        let (server, answered) = try await Self.server(.init())
        let flood = try await RawConnection(port: server.port)
        try await eventually("the connection accepted") { server.openConnections == 1 }
        // 2,000 requests in one go, no answer read. Each answer is written before the next
        // request is taken; once the socket's buffers are full the next one waits, one more is
        // kept, and the one after that ends the connection instead of queueing answers.
        let sent = flood.sendWhatFits(Array(String(repeating: Self.get, count: 2_000).utf8))
        #expect(sent == Self.get.utf8.count * 2_000)
        try await eventually("the server to drop the connection", within: .seconds(20)) { server.openConnections == 0 }
        let bufferedAnswers = answered.value
        #expect(bufferedAnswers < 1_000, "answers stop when the socket is full: \(bufferedAnswers)")
        let text = try await flood.receiveUntilClosed(within: .seconds(10))
        #expect(text.components(separatedBy: "HTTP/1.1 200 OK").count - 1 <= bufferedAnswers)
        await server.close()
    }

    @Test func twoPipelinedRequestsAreBothAnswered() async throws {
        let (server, answered) = try await Self.server(.init())
        let connection = try await RawConnection(port: server.port)
        try await connection.send(Self.get + "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let text = try await connection.receiveUntilClosed()
        #expect(text.components(separatedBy: "HTTP/1.1 200 OK").count - 1 == 2)
        #expect(answered.value == 2)
        await server.close()
    }

    @Test(arguments: [
        ("GET /" + String(repeating: "a", count: 9_000) + " HTTP/1.1\r\nHost: x\r\n\r\n", [414, 431, 400]),
        ("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "b", count: 9_000) + "\r\n\r\n", [431]),
        ("GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 20000\r\n\r\n" + String(repeating: "c", count: 20_000), [413]),
        ("NOT HTTP AT ALL\r\n\r\n", [400]),
    ])
    func oversizedOrBrokenRequestsAreRefusedAndClosed(_ request: String, _ statuses: [Int]) async throws {
        let (server, answered) = try await Self.server(.init(maxRequestBytes: 8192))
        let connection = try await RawConnection(port: server.port)
        try? await connection.send(request)
        let text = try await connection.receiveUntilClosed(within: .seconds(5))
        let status = text.split(separator: " ").dropFirst().first.flatMap { Int($0) }
        #expect(status.map(statuses.contains) == true, "\(text.prefix(200))")
        #expect(answered.value == 0)
        await server.close()
    }

    @Test func theBudgetKeepsTheSchedulersDescriptors() {
        #expect(DescriptorBudget.metricsConnections(requested: 64, schedulerConnections: 16, openNow: 20, limit: 8192) == 64)
        // systemd's default soft limit with max_concurrency = 1024: nothing is left for /metrics.
        #expect(DescriptorBudget.metricsConnections(requested: 64, schedulerConnections: 1024, openNow: 20, limit: 1024) == 0)
        #expect(DescriptorBudget.metricsConnections(requested: 64, schedulerConnections: 900, openNow: 20, limit: 1024) == 40)
        #expect(DescriptorBudget.metricsConnections(requested: 64, schedulerConnections: 16) <= 64)
    }
}

extension Atomic<Int> {
    /// A counter the responder closure can share.
    final class Reference: Sendable {
        let atomic = Atomic<Int>(0)
        func add() { atomic.add(1, ordering: .relaxed) }
        var value: Int { atomic.load(ordering: .relaxed) }
    }
}
