import Foundation
import Testing
import TestSupport

/// `appflowd run` as a real process against `appflow-emulator`, with a NOTIFY_SOCKET the test owns.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct DaemonEndToEndTests {
    @Test func notifiesSystemdAndStartsOnTimeWithSpecTokens() async throws {
        let emulator = try await EmulatorProcess(["--flow", "accounts", "--flow", "orders"])
        let dir = makeTemporaryDirectory()
        let slot = futureSlot(inSeconds: 8)
        let config = dir + "/jobs.toml"
        writeFile(config, """
            token_salt = "e2e"
            [[job]]
            name = "accounts-once"
            flow = "accounts"
            at = ["\(slot.text)"]
            [[job]]
            name = "orders-once"
            flow = "orders"
            at = ["\(slot.text)"]
            """)
        let notify = try NotifySocket()
        defer { notify.close() }
        var env = emulator.clientEnvironment()
        env["NOTIFY_SOCKET"] = notify.address
        env["WATCHDOG_USEC"] = "1000000"
        let daemon = try DaemonProcess(config: config, stateDir: dir + "/state", environment: env)

        let ready = try await notify.collect(for: .seconds(30)) { $0.contains { $0.contains("READY=1") } }
        let readyMessage = try #require(ready.first { $0.contains("READY=1") }, "no READY=1; log: \(daemon.log)")
        #expect(readyMessage.contains("STATUS=2 jobs; next: accounts-once at"))
        #expect(emulator.startFlowRequests().isEmpty, "nothing may start before READY")

        // Both slots start on time, with the SPEC's tokens.
        try await eventually("both slots started", log: daemon.log) { emulator.startFlowRequests().count >= 2 }
        let requests = emulator.startFlowRequests()
        let expected = try await pythonTokens([("e2e", "accounts-once", "accounts", slot.unix), ("e2e", "orders-once", "orders", slot.unix)])
        #expect(Set(requests.compactMap { $0["clientToken"] as? String }) == Set(expected))
        for request in requests {
            let arrival = try #require(request["time"] as? Double)
            #expect(arrival >= Double(slot.unix), "started before its slot")
        }

        // Watchdog pings come from the loop (WATCHDOG_USEC=1s: every 0.5 s).
        try await notify.collect(for: .seconds(1.5))
        #expect(notify.messages.filter { $0 == "WATCHDOG=1" }.count >= 2)

        // SIGHUP with a good file: RELOADING=1 + MONOTONIC_USEC, then READY=1 with the new jobs.
        writeFile(config, "[[job]]\nname = \"accounts-hourly\"\nflow = \"accounts\"\nevery = \"1h\"\n")
        let before = notify.messages.count
        daemon.signal(SIGHUP)
        try await notify.collect(for: .seconds(30)) { Array($0.dropFirst(before)).contains { $0.contains("READY=1") } }
        let afterGood = Array(notify.messages.dropFirst(before))
        let reloading = try #require(afterGood.first { $0.contains("RELOADING=1") })
        #expect(reloading.range(of: #"MONOTONIC_USEC=\d+"#, options: .regularExpression) != nil)
        let readyAgain = try #require(afterGood.first { $0.contains("READY=1") })
        #expect(readyAgain.contains("1 job; next: accounts-hourly"))

        // SIGHUP with a bad file: the old jobs stay, STATUS says why.
        writeFile(config, "[[job]]\nname = \"x\"\nflow = \"accounts\"\nevery = \"often\"\n")
        let mark = notify.messages.count
        daemon.signal(SIGHUP)
        try await notify.collect(for: .seconds(30)) { Array($0.dropFirst(mark)).contains { $0.contains("READY=1") } }
        let afterBad = Array(notify.messages.dropFirst(mark)).joined(separator: "\n")
        #expect(afterBad.contains("reload failed, old jobs kept: \(config):4:"))
        #expect(afterBad.contains("next: accounts-hourly"))

        // SIGTERM: STOPPING=1 and a clean exit.
        daemon.signal(SIGTERM)
        let status = await daemon.exitStatus(within: .seconds(30))
        #expect(status == 0, "log: \(daemon.log)")
        // The daemon sent STOPPING=1 before it exited: it is queued already.
        try await notify.collect(for: .zero)
        #expect(notify.messages.contains { $0.hasPrefix("STOPPING=1") })
        try? FileManager.default.removeItem(atPath: dir)
    }

    @Test func killedDuringABurstThenRestartedStartsEverySlotOnce() async throws {
        // Each answer takes 20 ms and 4 run at once: 200 slots take about a second, long
        // enough to kill the daemon in the middle.
        let emulator = try await EmulatorProcess(["--flow", "bulk", "--latency-ms", "20"])
        let dir = makeTemporaryDirectory()
        let slot = futureSlot(inSeconds: 8)
        var toml = "max_concurrency = 4\nrate_limit = 0\n"
        for i in 0..<200 { toml += "[[job]]\nname = \"bulk-\(i)\"\nflow = \"bulk\"\nat = [\"\(slot.text)\"]\n" }
        let config = dir + "/jobs.toml"
        writeFile(config, toml)
        let env = emulator.clientEnvironment()

        let first = try DaemonProcess(config: config, stateDir: dir + "/state", environment: env)
        try await eventually("40 requests", within: .seconds(60), pollingEvery: .milliseconds(5), log: first.log) {
            emulator.startFlowRequests().count >= 40
        }
        first.signal(SIGKILL)
        _ = await first.exitStatus(within: .seconds(30))
        let atKill = emulator.startFlowRequests().count
        #expect(atKill >= 40 && atKill < 200, "the kill should land mid-burst (\(atKill) requests)")

        let second = try DaemonProcess(config: config, stateDir: dir + "/state", environment: env)
        func startedTokens() -> Set<String> {
            Set(emulator.startFlowRequests().filter { $0["status"] as? Int == 200 }.compactMap { $0["clientToken"] as? String })
        }
        try await eventually("200 started slots", within: .seconds(60), pollingEvery: .milliseconds(50), log: second.log) {
            startedTokens().count >= 200
        }
        #expect(startedTokens().count == 200, "log: \(second.log.suffix(2000))")
        // AppFlow's idempotency turns a re-sent token into the same run: one new run per slot.
        let newRuns = emulator.startFlowRequests().filter { $0["newRun"] as? Bool == true }
        #expect(newRuns.count == 200)
        #expect(Set(newRuns.compactMap { $0["clientToken"] as? String }).count == 200)
        second.signal(SIGTERM)
        #expect(await second.exitStatus(within: .seconds(30)) == 0)
        try? FileManager.default.removeItem(atPath: dir)
    }
}
