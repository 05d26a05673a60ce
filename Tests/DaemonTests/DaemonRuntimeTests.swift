import AppFlow
import Foundation
import JobFile
import Ledger
import Logging
import Scheduling
import Testing
@testable import Daemon

/// The runtime with a manual clock, a scripted AppFlow and a real ledger in a temporary directory.
@Suite(.serialized)
struct DaemonRuntimeTests {
    static let t0: Int64 = 1_800_000_000

    struct Harness {
        let clock: ManualClock
        let starter: FakeStarter
        let notifier = RecordingNotifier()
        let ledger: Ledger
        let directory: String
        let runtime: DaemonRuntime
        let loop: Task<Void, Never>

        init(_ toml: String, nowMs: Int64 = DaemonRuntimeTests.t0 * 1000, starter: FakeStarter = FakeStarter(), directory: String = temporaryDirectory(), watchdog: Duration? = nil) async throws {
            clock = ManualClock(nowMs: nowMs)
            self.starter = starter
            self.directory = directory
            (ledger, _) = try Ledger.open(directory: directory)
            var logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
            logger.logLevel = .critical
            let file = try jobFile(toml)
            runtime = DaemonRuntime(jobFile: file, dependencies: .init(
                client: starter, clock: clock, ledger: ledger, notifier: notifier, logger: logger,
                random: { 0.5 }, watchdogInterval: watchdog, stopGrace: .milliseconds(100)
            ))
            let runtime = self.runtime
            loop = Task { await runtime.run() }
            let notifier = self.notifier
            try await eventually("READY") { notifier.all.contains { $0.hasPrefix("READY=1") } }
        }

        func stop() async {
            await runtime.stop()
            await loop.value
            ledger.close()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    @Test func readyOnlyAfterLoadThenStartsOnTimeWithSpecTokens() async throws {
        let h = try await Harness("[[job]]\nname = \"a\"\nflow = \"fa\"\nevery = \"1m\"\n")
        #expect(h.starter.recorded.isEmpty)
        #expect(h.notifier.all.first?.contains("next: a at 2027-01-15 08:01:00 UTC") == true)
        h.clock.set((Self.t0 + 59) * 1000)
        try await Task.sleep(for: .milliseconds(20))
        #expect(h.starter.recorded.isEmpty, "nothing before the slot")
        h.clock.set((Self.t0 + 60) * 1000)
        try await eventually("first start") { h.starter.recorded.count == 1 }
        let expected = ClientToken.make(salt: "", job: "a", flow: "fa", slot: Self.t0 + 60)
        #expect(h.starter.recorded == [.init(flow: "fa", token: expected)])
        try await eventually("ledger outcome") { h.ledger.state().jobs["a"]?.history.last?.outcome == .started }
        await h.stop()
        #expect(h.notifier.all.contains("STOPPING=1"))
        #expect(h.notifier.all.filter { $0.hasPrefix("READY=1") }.count == 1)
    }

    @Test func retriesWithTheSameTokenAfterTheBackoff() async throws {
        let starter = FakeStarter()
        let token = ClientToken.make(salt: "", job: "a", flow: "fa", slot: Self.t0 + 3600)
        starter.fail(token: token, with: [AppFlowServiceError(code: "ThrottlingException", message: "slow", statusCode: 429)])
        let h = try await Harness("[retry]\ninitial_backoff = \"10s\"\n[[job]]\nname = \"a\"\nflow = \"fa\"\nevery = \"1h\"\n", starter: starter)
        h.clock.set((Self.t0 + 3600) * 1000)
        try await eventually("first attempt") { h.starter.recorded.count == 1 }
        try await eventually("retry sleeping") { await h.runtime.currentStatus.retrying == 1 }
        h.clock.set((Self.t0 + 3600) * 1000 + 4_999)  // backoff with random 0.5: 5 s
        try await Task.sleep(for: .milliseconds(20))
        #expect(h.starter.recorded.count == 1)
        h.clock.set((Self.t0 + 3600) * 1000 + 5_000)
        try await eventually("second attempt") { h.starter.recorded.count == 2 }
        #expect(Set(h.starter.recorded.map(\.token)) == [token])
        try await eventually("started") { await h.runtime.currentStatus.started == 1 }
        await h.stop()
    }

    @Test(arguments: [1, 3])
    func aBurstIsStartedInSlotOrderNoneSkipped(concurrency: Int) async throws {
        var toml = "max_concurrency = \(concurrency)\nrate_limit = 0\n"
        for i in 0..<500 { toml += "[[job]]\nname = \"j\(i)\"\nflow = \"f\(i)\"\nevery = \"1m\"\n" }
        let h = try await Harness(toml)
        h.clock.set((Self.t0 + 60) * 1000)
        try await eventually("all 500 started") { await h.runtime.currentStatus.started == 500 }
        let order = h.starter.recorded.map { Int($0.flow.dropFirst())! }
        #expect(Set(order) == Set(0..<500), "none skipped, none twice")
        #expect(order.count == 500)
        if concurrency == 1 {
            // One call at a time: the endpoint sees them exactly in slot order. (With more in
            // flight, calls admitted in order may still overtake each other on the way;
            // StartGateTests checks the admission order itself.)
            #expect(order == Array(0..<500))
        }
        await h.stop()
    }

    @Test func restartResendsAnUnansweredSlotWithItsToken() async throws {
        let directory = temporaryDirectory()
        let token = ClientToken.make(salt: "", job: "a", flow: "fa", slot: Self.t0)
        do {
            let (ledger, _) = try Ledger.open(directory: directory)
            // A previous run wrote `sent` and died before the answer.
            try await ledger.append(.sent(job: "a", flow: "fa", slot: Self.t0, token: token, at: Double(Self.t0)))
            ledger.close()
        }
        let h = try await Harness("[[job]]\nname = \"a\"\nflow = \"fa\"\nevery = \"1h\"\n", nowMs: (Self.t0 + 120) * 1000, directory: directory)
        try await eventually("resent") { h.starter.recorded.count == 1 }
        #expect(h.starter.recorded.first?.token == token)
        try await eventually("recorded") { h.ledger.state().jobs["a"]?.unresolved.isEmpty == true }
        // And the slot itself is not fired again as new.
        #expect(await h.runtime.currentStatus.next?.fireMs == (Self.t0 + 3600) * 1000)
        await h.stop()
    }

    @Test func aTokenTooOldIsRecordedAsOutcomeUnknownNotResent() async throws {
        let directory = temporaryDirectory()
        let slot = Self.t0 - 8 * 3600
        do {
            let (ledger, _) = try Ledger.open(directory: directory)
            try await ledger.append(.sent(job: "a", flow: "fa", slot: slot, token: "appflowd-old", at: Double(slot)))
            ledger.close()
        }
        // Half an hour after a slot: it was missed and catch_up = skip does not start it either.
        let h = try await Harness("[[job]]\nname = \"a\"\nflow = \"fa\"\nevery = \"1h\"\ncatch_up = \"skip\"\n", nowMs: (Self.t0 + 1800) * 1000, directory: directory)
        try await eventually("recorded unknown") { h.ledger.state().jobs["a"]?.history.contains { $0.outcome == .outcomeUnknown } == true }
        #expect(h.starter.recorded.isEmpty)
        await h.stop()
    }

    @Test func waitFollowsTheRunAndOverlapSkips() async throws {
        let starter = FakeStarter()
        starter.executionStatus.withLock { $0 = "InProgress" }
        let h = try await Harness("[[job]]\nname = \"a\"\nflow = \"fa\"\nevery = \"1m\"\nwait = true\noverlap = \"skip\"\n", starter: starter)
        h.clock.set((Self.t0 + 60) * 1000)
        try await eventually("started") { await h.runtime.currentStatus.running == 1 }
        h.clock.set((Self.t0 + 120) * 1000)  // the next slot while the run is in progress
        try await eventually("skipped") { await h.runtime.currentStatus.skipped == 1 }
        #expect(h.starter.recorded.count == 1)
        starter.executionStatus.withLock { $0 = "Successful" }
        h.clock.set((Self.t0 + 170) * 1000)
        try await eventually("succeeded") { h.ledger.state().jobs["a"]?.history.contains { $0.outcome == .succeeded } == true }
        #expect(await h.runtime.currentStatus.running == 0)
        await h.stop()
    }

    @Test func reloadKeepsLedgerDropsRemovedJobsAndBadFileKeepsOldJobs() async throws {
        let h = try await Harness("[[job]]\nname = \"a\"\nflow = \"fa\"\nevery = \"1m\"\n[[job]]\nname = \"b\"\nflow = \"fb\"\nevery = \"1m\"\n")
        h.clock.set((Self.t0 + 60) * 1000)
        try await eventually("two started") { await h.runtime.currentStatus.started == 2 }
        await h.runtime.reload(try jobFile("[[job]]\nname = \"a\"\nflow = \"fa\"\nevery = \"2m\"\n"))
        #expect(await h.runtime.currentStatus.enabledJobs == 1)
        h.clock.set((Self.t0 + 120) * 1000)
        try await eventually("a started again") { await h.runtime.currentStatus.started == 3 }
        #expect(h.starter.recorded.last?.flow == "fa")
        await h.runtime.reloadFailed("test.toml:1:1: error: broken")
        #expect(await h.runtime.statusText.contains("reload failed, old jobs kept: test.toml:1:1: error: broken"))
        h.clock.set((Self.t0 + 240) * 1000)
        try await eventually("old job still runs") { await h.runtime.currentStatus.started == 4 }
        #expect(!h.starter.recorded.contains { $0.flow == "fb" && $0.token == ClientToken.make(salt: "", job: "b", flow: "fb", slot: Self.t0 + 120) })
        await h.stop()
    }

    @Test func watchdogIsFedByTheLoop() async throws {
        let h = try await Harness("[[job]]\nname = \"a\"\nflow = \"fa\"\nevery = \"1h\"\n", watchdog: .seconds(5))
        let before = h.notifier.all.filter { $0 == "WATCHDOG=1" }.count
        for step in 1...3 {
            h.clock.set((Self.t0 + Int64(step) * 5) * 1000)
            try await eventually("ping \(step)") { h.notifier.all.filter { $0 == "WATCHDOG=1" }.count >= before + step }
        }
        await h.stop()
    }
}
