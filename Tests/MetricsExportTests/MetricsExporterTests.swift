import Foundation
import Logging
import ServiceLifecycle
import ServiceLifecycleTestKit
import Synchronization
import Testing
import TestSupport
@testable import MetricsExport

/// The `/metrics` endpoint and the node_exporter textfile, the exporter run as the daemon's
/// `ServiceGroup` runs it: `run()` until a graceful shutdown.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct MetricsExporterTests {
    static let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    /// Runs `exporter` while `body` runs, then shuts it down gracefully and waits for `run()`.
    static func running(_ exporter: MetricsExporter, _ body: () async throws -> Void) async throws {
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await exporter.run() }
                try await body()
                trigger.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
    }

    @Test func servesTheExpositionOnGetMetricsOnly() async throws {
        let metrics = DaemonMetrics.prometheus()
        metrics.jobs(3)
        metrics.retry(flow: "accounts")
        let exporter = try await MetricsExporter.start(.init(listen: "127.0.0.1:0"), metrics: metrics, logger: Self.logger)
        let port = try #require(exporter.port)
        try await Self.running(exporter) {
        let ok = try await RawConnection.exchange("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", port: port)
        #expect(ok.status == 200)
        #expect(ok.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        #expect(ok.body == metrics.exposition())
        #expect(ok.body.contains("appflowd_jobs 3.0\n"))
        #expect(ok.body.contains("appflowd_retries_total{flow_name=\"accounts\"} 1\n"))
        #expect(try await RawConnection.exchange("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", port: port).status == 404)
        let post = try await RawConnection.exchange("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", port: port)
        #expect(post.status == 405 && post.headers["allow"] == "GET, HEAD")
        }
        await #expect(throws: (any Error).self) { try await RawConnection.exchange("GET /metrics HTTP/1.0\r\n\r\n", port: port) }
    }

    @Test func anAddressInUseIsAnError() async throws {
        let first = try await MetricsExporter.start(.init(listen: "127.0.0.1:0"), metrics: .prometheus(), logger: Self.logger)
        let port = try #require(first.port)
        try await Self.running(first) {
            await #expect(throws: MetricsExporter.ListenError.self) {
                _ = try await MetricsExporter.start(.init(listen: "127.0.0.1:\(port)"), metrics: .prometheus(), logger: Self.logger)
            }
        }
    }

    @Test func anAddressWithoutAHostIsAnError() async {
        // The job file refuses it first; the exporter never falls back to every interface.
        let error = await #expect(throws: MetricsExporter.ListenError.self) {
            _ = try await MetricsExporter.start(.init(listen: ":0"), metrics: .prometheus(), logger: Self.logger)
        }
        #expect(error?.message.contains("needs a host") == true)
    }

    @Test func healthzIsServedWithAHeartbeatOnly() async throws {
        let heartbeat = LoopHeartbeat()
        heartbeat.beat()
        let exporter = try await MetricsExporter.start(.init(listen: "127.0.0.1:0", heartbeat: heartbeat), metrics: .prometheus(), logger: Self.logger)
        let port = try #require(exporter.port)
        try await Self.running(exporter) {
            let health = try await RawConnection.exchange("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", port: port)
            #expect(health.status == 200 && health.body.hasPrefix("ok: ") && health.headers["cache-control"] == "no-store")
        }
        let without = try await MetricsExporter.start(.init(listen: "127.0.0.1:0"), metrics: .prometheus(), logger: Self.logger)
        let other = try #require(without.port)
        try await Self.running(without) {
            let missing = try await RawConnection.exchange("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", port: other)
            #expect(missing.status == 404)
        }
    }

    @Test func runRewritesTheTextfileEveryInterval() async throws {
        let directory = temporaryDirectory()
        let path = directory + "/appflowd.prom"
        let metrics = DaemonMetrics.prometheus()
        metrics.jobs(1)
        let exporter = try await MetricsExporter.start(.init(file: path, interval: .milliseconds(20)), metrics: metrics, logger: Self.logger)
        try await Self.running(exporter) {
            metrics.jobs(7)
            try await eventually("rewritten by run()") { (try? String(contentsOfFile: path, encoding: .utf8))?.contains("appflowd_jobs 7.0\n") == true }
        }
    }

    @Test func textfileIsWrittenAtStartAndWithTheFinalCountsAtStop() async throws {
        let directory = temporaryDirectory()
        let path = directory + "/appflowd.prom"
        let metrics = DaemonMetrics.prometheus()
        metrics.jobs(1)
        let exporter = try await MetricsExporter.start(.init(file: path, interval: .seconds(3600)), metrics: metrics, logger: Self.logger)
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("appflowd_jobs 1.0\n"))
        try await Self.running(exporter) { metrics.jobs(2) }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("appflowd_jobs 2.0\n"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["appflowd.prom"], "no temporary file left")
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(mode & 0o044 == 0o044, "node_exporter, another user, must be able to read it")
    }

    /// A reader that opens the file over and over while it is replaced must only ever see a
    /// complete version: each version has its own length and ends with its own number.
    @Test func textfileIsNeverSeenPartial() async throws {
        let directory = temporaryDirectory()
        let path = directory + "/appflowd.prom"
        let file = MetricsTextfile(path: path)
        func version(_ n: Int) -> String {
            String(repeating: "appflowd_padding_metric{n=\"\(n)\"} 1\n", count: 2_000 + n * 7) + "# version \(n)\n"
        }
        try file.write(version(0))
        let done = Atomic<Bool>(false)
        let reader = Task.detached { () -> (reads: Int, bad: [String]) in
            var reads = 0
            var bad: [String] = []
            while (!done.load(ordering: .acquiring) || reads < 50) && bad.count < 20 {
                guard let data = FileManager.default.contents(atPath: path) else {
                    bad.append("missing file at read \(reads)")
                    break
                }
                reads += 1
                let text = String(decoding: data, as: UTF8.self)
                guard let marker = text.split(separator: "\n").last, marker.hasPrefix("# version "), let n = Int(marker.dropFirst(10)) else {
                    bad.append("no trailer in a \(data.count)-byte read")
                    continue
                }
                if text != version(n) { bad.append("version \(n) read with \(data.count) bytes") }
            }
            return (reads, bad)
        }
        for n in 1...200 { try file.write(version(n)) }
        done.store(true, ordering: .releasing)
        let result = await reader.value
        #expect(result.bad.count == 0, "\(result.bad.prefix(5))")
        #expect(result.reads >= 50)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == version(200))
    }

    @Test func aMissingDirectoryIsAnErrorNamingTheStep() {
        let file = MetricsTextfile(path: "/nonexistent-appflowd-dir/appflowd.prom")
        #expect(throws: MetricsTextfile.WriteError.self) { try file.write("x 1\n") }
        do {
            try file.write("x 1\n")
        } catch {
            #expect(error.code == "open" && error.errno == ENOENT)
        }
    }
}
