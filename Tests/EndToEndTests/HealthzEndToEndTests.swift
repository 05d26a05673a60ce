import Foundation
import Testing

/// `appflowd run` as it runs in a container: JSON log lines on stderr (`APPFLOWD_LOG_FORMAT`)
/// and `/healthz` on the metrics listener, against `appflow-emulator`.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct HealthzEndToEndTests {
    @Test func healthzAnswersAndLogsAreJSONLines() throws {
        let emulator = try EmulatorProcess(["--flow", "accounts"])
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let port = try Scrape.freePort()
        writeFile(dir + "/jobs.toml", """
            metrics_listen = "127.0.0.1:\(port)"
            [[job]]
            name = "accounts-often"
            flow = "accounts"
            every = "1s"
            """)
        var environment = emulator.clientEnvironment()
        environment["APPFLOWD_LOG_FORMAT"] = "json"
        let daemon = try DaemonProcess(config: dir + "/jobs.toml", stateDir: dir + "/state", environment: environment)

        var health: (status: Int, body: String)?
        try waitUntil("/healthz answering 200", log: daemon.log) {
            health = try? Scrape.get(port: port, path: "/healthz")
            return health?.status == 200
        }
        #expect(health?.body.hasPrefix("ok: last pass of the scheduling loop ") == true)
        try waitUntil("a started flow", log: daemon.log) { daemon.log.contains("\"event\":\"started\"") }

        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit(seconds: 15) == 0, "log: \(daemon.log)")
        let lines = daemon.log.split(separator: "\n").filter { !$0.isEmpty }
        #expect(!lines.isEmpty)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["timestamp"] is String && object?["level"] is String && object?["message"] is String, "\(line)")
        }
        let started = try #require(lines.lazy.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .first { $0["event"] as? String == "started" })
        #expect(started["job_name"] as? String == "accounts-often")
        #expect(started["flow_name"] as? String == "accounts")
        #expect((started["client_token"] as? String)?.hasPrefix("appflowd-") == true)
        #expect(started["priority"] as? Int == 5)
    }

    @Test func anUnknownLogFormatIsAUsageError() throws {
        let option = try Binaries.run("appflowd", ["run", "--log-format", "yaml", "--config", "/nonexistent"], environment: [:])
        #expect(option.status == 64)
        #expect(option.stderr.contains("unknown --log-format 'yaml'"))
        let variable = try Binaries.run("appflowd", ["start", "some-flow"], environment: ["APPFLOWD_LOG_FORMAT": "xml"])
        #expect(variable.status == 64)
        #expect(variable.stderr.contains("unknown APPFLOWD_LOG_FORMAT 'xml'"))
    }
}
