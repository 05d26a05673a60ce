import Foundation
import Testing
import TestSupport

/// `appflowd status` reading the ledger a real `appflowd run` wrote against `appflow-emulator`,
/// while the daemon runs and after it stopped, checked against the emulator's request record.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct StatusEndToEndTests {
    @Test func statusAgreesWithTheEmulatorWhileRunningAndAfterwards() async throws {
        let emulator = try await EmulatorProcess(["--flow", "accounts", "--flow", "nightly:scheduled", "--flow", "orders", "--run-seconds", "0.2"])
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = dir + "/jobs.toml"
        let state = dir + "/state"
        writeFile(config, """
            [[job]]
            name = "accounts-every-second"
            flow = "accounts"
            every = "1s"
            [[job]]
            name = "nightly-activate"
            flow = "nightly"
            every = "1s"
            [[job]]
            name = "orders-followed"
            flow = "orders"
            every = "2s"
            wait = true
            [[job]]
            name = "far-future"
            flow = "accounts"
            at = ["2099-01-01T00:00:00Z"]
            """)
        let daemon = try DaemonProcess(config: config, stateDir: state, environment: emulator.clientEnvironment())
        let status = { (extra: [String]) async throws -> ProcessOutput in
            try await Binaries.run("appflowd", ["status", "--config", config, "--state-dir", state] + extra, environment: [:])
        }

        // Read while the daemon writes: every read succeeds, and every execution id it shows was
        // really handed out by the emulator (the record is written before the answer is sent).
        var reads = 0
        var seenTokens = Set<String>()
        try await eventually("three different slots of accounts-every-second seen by status", log: daemon.log) {
            let output = try await status(["--json"])
            #expect(output.status == 0, "\(output.stderr)")
            let rows = try Self.rows(output.stdout)
            let issued = Set(emulator.startFlowRequests().compactMap { $0["executionId"] as? String })
            for row in rows {
                if let id = (row["last"] as? [String: Any])?["executionId"] as? String {
                    #expect(issued.contains(id), "status shows \(id), which the emulator never issued")
                }
            }
            reads += 1
            if let token = (rows.first?["last"] as? [String: Any])?["clientToken"] as? String { seenTokens.insert(token) }
            let followed = try await status(["--job", "orders-followed", "--history", "50", "--json"]).stdout
            return seenTokens.count >= 3 && Self.succeededRuns(followed) >= 1
        }
        #expect(reads >= 3)

        daemon.signal(SIGTERM)
        #expect(await daemon.exitStatus(within: .seconds(30)) == 0, "log: \(daemon.log)")

        // After the run: the newest slot of each job is the emulator's last StartFlow of its flow.
        let requests = emulator.startFlowRequests().filter { $0["status"] as? Int == 200 }
        let rows = try Self.rows(try await status(["--json"]).stdout)
        #expect(rows.map { $0["job"] as? String } == ["accounts-every-second", "nightly-activate", "orders-followed", "far-future"])
        let accountsRequests = requests.filter { $0["flowName"] as? String == "accounts" }
        let history = try Self.history(try await status(["--job", "accounts-every-second", "--history", "1000", "--json"]).stdout)
        let accountsLast = try #require(rows[0]["last"] as? [String: Any])
        #expect(accountsLast["clientToken"] as? String == history.first?["clientToken"] as? String)
        // A slot sent just before SIGTERM may have stayed unanswered (pending, resent on restart).
        #expect(accountsLast["outcome"] as? String == "started" || accountsLast["outcome"] is NSNull)
        let newestStarted = try #require(history.first { $0["outcome"] as? String == "started" })
        #expect(newestStarted["clientToken"] as? String == accountsRequests.last?["clientToken"] as? String)
        #expect(newestStarted["executionId"] as? String == accountsRequests.last?["executionId"] as? String)

        // Every started slot in the history has exactly the execution id the emulator gave its token.
        let byToken = Dictionary(requests.compactMap { r in (r["clientToken"] as? String).map { ($0, r["executionId"] as? String) } }, uniquingKeysWith: { first, _ in first })
        let started = history.filter { $0["outcome"] as? String == "started" }
        #expect(started.count == accountsRequests.count)
        for slot in started {
            let token = try #require(slot["clientToken"] as? String)
            #expect(byToken[token] == slot["executionId"] as? String)
        }

        // As for accounts: the newest nightly slot may have been sent just before SIGTERM and
        // stayed unanswered, so the activation checked is the newest answered one.
        let nightly = try #require(rows[1]["last"] as? [String: Any])
        #expect(nightly["outcome"] as? String == "activated" || nightly["outcome"] is NSNull, "\(nightly)")
        let nightlyHistory = try Self.history(try await status(["--job", "nightly-activate", "--history", "50", "--json"]).stdout)
        let activated = try #require(nightlyHistory.first { $0["outcome"] as? String == "activated" })
        #expect(activated["executionId"] is NSNull)
        #expect(byToken[activated["clientToken"] as? String ?? ""] != nil)

        let followed = try Self.history(try await status(["--job", "orders-followed", "--history", "50", "--json"]).stdout)
        let succeeded = try #require(followed.first { $0["outcome"] as? String == "succeeded" })
        #expect(succeeded["recordsProcessed"] is Int, "a followed run reports records processed")
        #expect(byToken[succeeded["clientToken"] as? String ?? ""] == succeeded["executionId"] as? String)

        #expect(rows[3]["last"] is NSNull)
        #expect((rows[3]["next"] as? [String: Any])?["nominal"] as? String == "2099-01-01T00:00:00Z")

        // The table: one line per job, the never-run job says so.
        let table = try await status([])
        #expect(table.status == 0)
        let lines = table.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("JOB ") == true && lines.first?.contains("PASSED") == true)
        #expect(lines.contains { $0.hasPrefix("far-future ") && $0.contains("never run") })
        #expect(lines.contains { $0.hasPrefix("nightly-activate ") && ($0.contains("activated") || nightly["outcome"] is NSNull) })
    }

    @Test func aStateDirectoryThatDoesNotExistShowsEveryJobAsNeverRun() async throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        writeFile(dir + "/jobs.toml", "[[job]]\nflow = \"accounts\"\nevery = \"1h\"\n")
        let output = try await Binaries.run("appflowd", ["status", "--config", dir + "/jobs.toml", "--state-dir", dir + "/none"], environment: [:])
        #expect(output.status == 0)
        #expect(output.stdout.contains("never run"))
        #expect(output.stderr.contains("does not exist"))
        let unknown = try await Binaries.run("appflowd", ["status", "--config", dir + "/jobs.toml", "--state-dir", dir, "--job", "nope"], environment: [:])
        #expect(unknown.status == 1)
    }

    static func rows(_ json: String) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
    }

    static func history(_ json: String) throws -> [[String: Any]] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        return try #require(object["slots"] as? [[String: Any]])
    }

    static func succeededRuns(_ json: String) -> Int {
        ((try? history(json)) ?? []).filter { $0["outcome"] as? String == "succeeded" }.count
    }
}
