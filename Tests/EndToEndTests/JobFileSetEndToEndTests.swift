import Foundation
import Scheduling
import Testing
import TestSupport

/// `appflowd run` against `appflow-emulator` with jobs in `jobs.d` and jobs with `start` / `end`:
/// a drop-in job starts, a bounded job starts exactly the slots between its bounds, an ended job
/// never starts, and a reload re-reads every file (a bad one keeps the old jobs).
@Suite(.serialized, .timeLimit(.minutes(10)))
struct JobFileSetEndToEndTests {
    static func rfc3339(_ unix: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(unix)))
    }

    @Test func dropInsAndBoundsAgainstTheEmulator() async throws {
        let emulator = try await EmulatorProcess(["--flow", "main", "--flow", "dropin", "--flow", "bounded", "--flow", "ended", "--flow", "added"])
        let dir = makeTemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir + "/jobs.d", withIntermediateDirectories: true)
        let now = Int64(Date().timeIntervalSince1970)
        // Three slots of an every-3s job, all between start and end, starting at least 10 s from now.
        let first = (now + 10 + 2) / 3 * 3
        let dropIn = futureSlot(inSeconds: 8)
        writeFile(dir + "/jobs.toml", """
            token_salt = "sets"
            [[job]]
            name = "ended"
            flow = "ended"
            every = "1s"
            end = "\(Self.rfc3339(now - 60))"
            """)
        writeFile(dir + "/jobs.d/10-dropin.toml", """
            [[job]]
            name = "dropin"
            flow = "dropin"
            at = ["\(dropIn.text)"]
            """)
        writeFile(dir + "/jobs.d/20-bounded.toml", """
            [[job]]
            name = "bounded"
            flow = "bounded"
            every = "3s"
            jitter = "10s"
            catch_up = "all"
            start = "\(Self.rfc3339(first))"
            end = "\(Self.rfc3339(first + 6))"
            """)
        writeFile(dir + "/jobs.d/README", "not a job file")
        let env = emulator.clientEnvironment()

        // check and next read the directory as run does; the ended job is a warning and `ended`.
        let check = try await Binaries.run("appflowd", ["check", "--config", dir], environment: env)
        #expect(check.status == 0 && check.stdout == "OK: 3 jobs\n", "\(check)")
        #expect(check.stderr.contains("\(dir)/jobs.toml:6:7: warning: no slot is left before 'end'"), "\(check.stderr)")
        let next = try await Binaries.run("appflowd", ["next", "--config", dir + "/jobs.toml", "--json"], environment: env)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(next.stdout.utf8)) as? [[String: Any]], "\(next)")
        #expect(rows.map { $0["job"] as? String } == ["ended", "dropin", "bounded"])
        #expect(rows[0]["ended"] as? Bool == true)

        let notify = try NotifySocket()
        defer { notify.close() }
        var daemonEnv = env
        daemonEnv["NOTIFY_SOCKET"] = notify.address
        let daemon = try DaemonProcess(config: dir + "/jobs.toml", stateDir: dir + "/state", environment: daemonEnv)
        try await notify.collect(for: .seconds(30)) { $0.contains { $0.contains("READY=1") } }

        func tokens(_ flow: String) -> [String] {
            emulator.startFlowRequests().filter { $0["flowName"] as? String == flow }.compactMap { $0["clientToken"] as? String }
        }
        try await eventually("the drop-in job and the bounded job's slots", within: .seconds(60), log: daemon.log) {
            tokens("dropin").count >= 1 && tokens("bounded").count >= 3
        }
        #expect(tokens("dropin") == [ClientToken.make(salt: "sets", job: "dropin", flow: "dropin", slot: dropIn.unix)])
        let bounded = [first, first + 3, first + 6].map { ClientToken.make(salt: "sets", job: "bounded", flow: "bounded", slot: $0) }
        #expect(Set(tokens("bounded")) == Set(bounded))
        // None arrived before start.
        let arrivals = emulator.startFlowRequests().filter { $0["flowName"] as? String == "bounded" }.compactMap { $0["time"] as? Double }
        #expect(arrivals.allSatisfy { $0 >= Double(first) })

        // Reload: a new drop-in is read; its slot comes well after the bounded job's end.
        let added = futureSlot(inSeconds: 6)
        #expect(added.unix > first + 6)
        writeFile(dir + "/jobs.d/30-added.toml", "[[job]]\nname = \"added\"\nflow = \"added\"\nat = [\"\(added.text)\"]\n")
        var mark = notify.messages.count
        daemon.signal(SIGHUP)
        try await notify.collect(for: .seconds(30)) { Array($0.dropFirst(mark)).contains { $0.contains("READY=1") } }
        try await eventually("the added job", within: .seconds(60), log: daemon.log) { tokens("added").count >= 1 }
        // By now the bounded job is past its end: still its three slots, and the ended job none.
        #expect(tokens("bounded").count == 3)
        #expect(tokens("ended").isEmpty)

        // A bad drop-in on reload keeps the old jobs, and STATUS names that file.
        writeFile(dir + "/jobs.d/40-bad.toml", "region = \"eu-west-1\"\n")
        mark = notify.messages.count
        daemon.signal(SIGHUP)
        try await notify.collect(for: .seconds(30)) { Array($0.dropFirst(mark)).contains { $0.contains("READY=1") } }
        let afterBad = Array(notify.messages.dropFirst(mark)).joined(separator: "\n")
        #expect(afterBad.contains("reload failed, old jobs kept: \(dir)/jobs.d/40-bad.toml:1:1: error: 'region' is a top-level key"), "\(afterBad)")

        daemon.signal(SIGTERM)
        #expect(await daemon.exitStatus(within: .seconds(30)) == 0, "log: \(daemon.log)")
        try? FileManager.default.removeItem(atPath: dir)
    }
}
