import Foundation
import Testing
import TestSupport

/// `appflowd run` against `appflow-emulator` with faults; `/metrics` scraped over HTTP and the
/// node_exporter textfile, each value checked against the emulator's own request record.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct MetricsEndToEndTests {
    @Test func metricsMatchTheEmulatorsRecord() async throws {
        // Every StartFlow attempt's first try gets a 500: each slot is retried once.
        let emulator = try await EmulatorProcess(["--flow", "accounts", "--flow", "nightly:scheduled", "--fail-first", "1"])
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let port = try Scrape.freePort()
        let first = futureSlot(inSeconds: 8)
        let at = (0..<3).map { offset in
            ISO8601DateFormatter.string(from: Date(timeIntervalSince1970: TimeInterval(first.unix + Int64(offset))),
                                        timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withInternetDateTime])
        }
        let config = dir + "/jobs.toml"
        let textfile = dir + "/appflowd.prom"
        writeFile(config, """
            metrics_listen = "127.0.0.1:\(port)"
            metrics_file = "\(textfile)"
            [retry]
            initial_backoff = "100ms"
            [[job]]
            name = "accounts-burst"
            flow = "accounts"
            at = [\(at.map { "\"\($0)\"" }.joined(separator: ", "))]
            [[job]]
            name = "nightly-activate"
            flow = "nightly"
            at = ["\(first.text)"]
            [[job]]
            name = "ghost"
            flow = "no-such-flow"
            at = ["\(first.text)"]
            """)
        let daemon = try DaemonProcess(config: config, stateDir: dir + "/state", environment: emulator.clientEnvironment())

        // Before any slot: the job gauges are there, no start is counted.
        var before: Samples?
        try await eventually("the first scrape", log: daemon.log) {
            before = (try? await Scrape.get(port: port)).map { Samples(text: $0.body) }
            return before?["appflowd_jobs"] != nil
        }
        #expect(before?["appflowd_jobs"] == 3)
        #expect(before?["appflowd_next_fire_timestamp_seconds", ["job_name": "accounts-burst"]] == Double(first.unix))
        #expect(before?.sum("appflowd_starts_total") == 0)

        // 3 + 1 + 1 slots, each a 500 and then an answer: 10 StartFlow requests.
        try await eventually("10 StartFlow requests", log: daemon.log) { emulator.startFlowRequests().count >= 10 }
        var scraped = Samples(text: "")
        try await eventually("5 slots counted", log: daemon.log) {
            scraped = Samples(text: (try? await Scrape.get(port: port).body) ?? "")
            return scraped.sum("appflowd_starts_total") == 5 && scraped["appflowd_in_flight_calls"] == 0
        }
        let requests = emulator.startFlowRequests()
        func count(_ flow: String? = nil, status: Int? = nil, fault: String? = nil) -> Double {
            Double(requests.filter { request in
                (flow == nil || request["flowName"] as? String == flow)
                    && (status == nil || request["status"] as? Int == status)
                    && (fault == nil || request["fault"] as? String == fault)
            }.count)
        }
        #expect(requests.count == 10)
        #expect(scraped.sum("appflowd_retries_total") == count(status: 500))
        #expect(scraped["appflowd_retries_total", ["flow_name": "accounts"]] == count("accounts", status: 500))
        #expect(scraped["appflowd_errors_total", ["operation": "StartFlow", "code": "InternalServerException"]] == count(fault: "fail-first"))
        #expect(scraped["appflowd_errors_total", ["operation": "StartFlow", "code": "ResourceNotFoundException"]] == count(status: 404))
        #expect(scraped["appflowd_starts_total", ["flow_name": "accounts", "outcome": "started"]]
                == Double(requests.filter { $0["flowName"] as? String == "accounts" && $0["newRun"] as? Bool == true && $0["executionId"] is String }.count))
        #expect(scraped["appflowd_starts_total", ["flow_name": "nightly", "outcome": "activated"]] == count("nightly", status: 200))
        #expect(scraped["appflowd_starts_total", ["flow_name": "no-such-flow", "outcome": "failed"]] == 1)
        #expect(scraped["appflowd_start_latency_seconds_count"] == Double(requests.count), "one observation per StartFlow call")
        #expect(scraped["appflowd_fire_lateness_seconds_count"] == 5, "one per slot")
        #expect(scraped["appflowd_jobs"] == 3)
        // The last success of the burst job is its last 200, as the emulator saw it arrive.
        let lastAccepted = try #require(requests.filter { $0["flowName"] as? String == "accounts" && $0["status"] as? Int == 200 }.compactMap { $0["time"] as? Double }.max())
        let lastSuccess = try #require(scraped["appflowd_last_success_timestamp_seconds", ["job_name": "accounts-burst"]])
        #expect(lastSuccess >= lastAccepted - 0.002 && lastSuccess <= Date().timeIntervalSince1970)
        #expect(scraped["appflowd_last_success_timestamp_seconds", ["job_name": "ghost"]] == nil)
        // One-shot jobs that have fired have no next fire time any more.
        #expect(scraped["appflowd_next_fire_timestamp_seconds", ["job_name": "accounts-burst"]] == nil)

        // SIGTERM: the textfile is rewritten with the final counts, completely.
        daemon.signal(SIGTERM)
        #expect(await daemon.exitStatus(within: .seconds(30)) == 0, "log: \(daemon.log)")
        let text = try String(contentsOfFile: textfile, encoding: .utf8)
        #expect(text.hasSuffix("\n"))
        let directory = (textfile as NSString).deletingLastPathComponent
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".tmp") } == [], "no temporary file left")
        let final = Samples(text: text)
        for name in ["appflowd_starts_total", "appflowd_retries_total", "appflowd_errors_total", "appflowd_start_latency_seconds_count"] {
            #expect(final.sum(name) == scraped.sum(name), "\(name) in the textfile")
        }
    }

    @Test func aMetricsAddressInUseFailsTheStart() async throws {
        let emulator = try await EmulatorProcess(["--flow", "accounts"])
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // The emulator's own port is certainly taken.
        writeFile(dir + "/jobs.toml", "metrics_listen = \"127.0.0.1:\(emulator.port)\"\n[[job]]\nflow = \"accounts\"\nevery = \"1h\"\n")
        let daemon = try DaemonProcess(config: dir + "/jobs.toml", stateDir: dir + "/state", environment: emulator.clientEnvironment())
        #expect(await daemon.exitStatus(within: .seconds(30)) == 1)
        #expect(daemon.log.contains("cannot serve metrics"))
    }
}
