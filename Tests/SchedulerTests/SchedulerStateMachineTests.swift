import JobFile
import Ledger
import Scheduling
import Testing
@testable import Scheduler

/// Event -> action sequences for the whole scheduler, one per defect of the exactly-once issue
/// and per rule it keeps. No sleeps, no clock, no network.
@Suite(.timeLimit(.minutes(2)))
struct SchedulerStateMachineTests {
    static let t0: Int64 = 1_800_000_000  // 2027-01-15 08:00:00 UTC
    static let ms = t0 * 1000

    static func jobs(_ count: Int, every: String = "1h", header: String = "") -> String {
        header + (0..<count).map { "[[job]]\nname = \"j\($0)\"\nflow = \"f\($0)\"\nevery = \"\(every)\"\n" }.joined()
    }

    static func counts(_ tokens: [String]) -> [String: Int] {
        tokens.reduce(into: [:]) { $0[$1, default: 0] += 1 }
    }

    @Test func readyFirstThenStartsOnTimeWithTheSpecToken() throws {
        var d = try SchedulerDriver("[[job]]\nname = \"a\"\nflow = \"fa\"\nevery = \"1m\"\n", nowMs: Self.ms)
        guard case .ready(let status)? = d.notifications.first else { Issue.record("no READY"); return }
        #expect(status.contains("next: a at 2027-01-15 08:01:00 UTC"))
        // The `sent` record is written ahead of the slot (2 s), and durable before the call.
        #expect(d.wakeMs == (Self.t0 + 58) * 1000)
        d.tick(at: (Self.t0 + 58) * 1000)
        #expect(d.calls.isEmpty && d.pendingWrite?.1.map(\.kind) == [.sent])
        d.completeWrite()
        #expect(d.wakeMs == (Self.t0 + 60) * 1000)
        d.tick(at: (Self.t0 + 59) * 1000)
        #expect(d.pendingWrite == nil && d.calls.isEmpty, "nothing before the slot")
        d.tick(at: (Self.t0 + 60) * 1000)
        #expect(d.sentTokens == [ClientToken.make(salt: "", job: "a", flow: "fa", slot: Self.t0 + 60)])
        #expect(d.pendingWrite == nil, "nothing written at the fire time")
        d.answerFirst()
        d.drainLedger()
        #expect(d.ledger.jobs["a"]?.history.last?.outcome == .started)
    }

    /// Defect 1: a reload in the middle of a burst strands nothing and starts nothing twice.
    @Test func aReloadMidBurstStartsEverySlotExactlyOnce() throws {
        let toml = Self.jobs(600, header: "max_concurrency = 16\nrate_limit = 0\n")
        var d = try SchedulerDriver(toml, nowMs: Self.ms)
        d.tick(at: (Self.t0 + 3600) * 1000)
        // Part of the burst is in flight, part recorded, part waiting for the ledger.
        d.completeWrite()
        for _ in 0..<5 { d.answerFirst() }
        d.send(.reloadRequested)
        #expect(d.reloadRequested == 1)
        d.send(.reloadLoaded(try jobFile(toml + "[[job]]\nname = \"new\"\nflow = \"fn\"\nevery = \"1h\"\n")))
        d.settle()
        let counts = Self.counts(d.sentTokens)
        #expect(counts.count == 600 && counts.values.allSatisfy { $0 == 1 })
        #expect(d.ledger.jobs.values.allSatisfy { $0.unresolved.isEmpty }, "every slot answered and recorded")
    }

    /// Admission: slot order, at most max_concurrency in flight, rate_limit per second.
    @Test func admitsInSlotOrderWithinConcurrencyAndRate() throws {
        var d = try SchedulerDriver(Self.jobs(40, header: "max_concurrency = 4\nrate_limit = 10\n"), nowMs: Self.ms)
        d.tick(at: (Self.t0 + 3600) * 1000)
        d.drainLedger()
        #expect(d.calls.count == 4)
        #expect(d.calls.map(\.0.job) == ["j0", "j1", "j2", "j3"])
        while !d.calls.isEmpty { d.answerFirst() }
        d.drainLedger()
        // 10 a second: the bucket's burst of 10 is spent, the rest waits for the clock.
        #expect(d.sentTokens.count == 10)
        #expect(d.wakeMs == (Self.t0 + 3600) * 1000 + 100)
        d.run(until: (Self.t0 + 3610) * 1000)
        #expect(Self.counts(d.sentTokens).count == 40)
        #expect(d.sentTokens.count == 40)
    }

    /// Defect 3: a slot resumed after a restart is sent with the token and flow the ledger holds.
    @Test func aResumedSlotUsesTheRecordedTokenAndFlow() throws {
        var ledger = LedgerState()
        ledger.apply(.sent(job: "a", flow: "old-flow", slot: Self.t0 - 60, token: "appflowd-recorded", at: Double(Self.t0 - 59)), historyLimit: 50)
        let d = try SchedulerDriver("token_salt = \"changed\"\n[[job]]\nname = \"a\"\nflow = \"new-flow\"\nevery = \"1m\"\n", nowMs: Self.ms, ledger: ledger)
        #expect(d.calls.map(\.1.token) == ["appflowd-recorded"])
        #expect(d.calls.map(\.1.flow) == ["old-flow"])
        #expect(d.calls.map(\.1.attempt) == [2], "the attempt before the restart counts")
    }

    /// Defect 4: with a call in flight, stopping waits for its answer and records it.
    @Test func stopWaitsForCallsInFlightAndRecordsTheirAnswers() throws {
        var d = try SchedulerDriver(Self.jobs(2), nowMs: Self.ms)
        d.tick(at: (Self.t0 + 3600) * 1000)
        d.completeWrite()
        #expect(d.calls.count == 2)
        d.nowMs += 100
        d.send(.shutdownRequested)
        #expect(d.notifications.contains { if case .stopping = $0 { true } else { false } })
        #expect(!d.finished)
        d.answerFirst()
        #expect(!d.finished, "the outcome is not written yet")
        d.answerFirst()
        d.drainLedger()
        #expect(d.finished)
        #expect(d.ledger.jobs.values.allSatisfy { $0.unresolved.isEmpty && $0.history.last?.outcome == .started })
    }

    @Test func stopGivesUpOnCallsStillInFlightAtTheGraceDeadline() throws {
        var d = try SchedulerDriver(Self.jobs(1), nowMs: Self.ms, configuration: .init(stopGrace: .seconds(3)))
        d.tick(at: (Self.t0 + 3600) * 1000)
        d.completeWrite()
        d.send(.shutdownRequested)
        #expect(d.wakeMs.map { $0 <= (Self.t0 + 3603) * 1000 } == true)
        d.tick(at: (Self.t0 + 3602) * 1000)
        #expect(!d.finished)
        d.tick(at: (Self.t0 + 3603) * 1000)
        #expect(d.finished)
        // The slot stays open in the ledger: a restart sends it again with its token.
        #expect(d.ledger.jobs["j0"]?.unresolved.count == 1)
    }

    /// Defect 6: due slots wait while the ledger cannot be written, start once it can, or are
    /// recorded as failed once their retry deadline passes; never a gap.
    @Test func aLedgerThatCannotBeWrittenDelaysStartsAndLosesNone() throws {
        var d = try SchedulerDriver("[retry]\ndeadline = \"2m\"\n" + Self.jobs(3), nowMs: Self.ms)
        d.tick(at: (Self.t0 + 3600) * 1000)
        d.completeWrite(failing: true)
        #expect(d.calls.isEmpty, "nothing is sent without its durable record")
        #expect(d.machine.status.text.contains("ledger not writable"))
        #expect(d.wakeMs == (Self.t0 + 3601) * 1000)
        d.tick(at: (Self.t0 + 3601) * 1000)
        #expect(d.pendingWrite?.1.count == 3, "the same records again")
        d.completeWrite()
        #expect(d.calls.count == 3)
        d.settle()
        #expect(d.ledger.jobs.values.allSatisfy { $0.history.last?.outcome == .started })
        #expect(!d.machine.status.text.contains("ledger not writable"))

        // Next hour the disk stays full past the retry deadline: recorded failed, not lost.
        d.tick(at: (Self.t0 + 7200) * 1000)
        var guardRail = 0
        while d.nowMs < (Self.t0 + 7200 + 130) * 1000, guardRail < 100 {
            d.completeWrite(failing: true)
            d.tick(at: max(d.nowMs + 1, d.wakeMs ?? d.nowMs + 1000))
            guardRail += 1
        }
        #expect(d.calls.isEmpty)
        #expect(d.machine.status.failed == 3)
        d.completeWrite()
        d.drainLedger()
        for name in ["j0", "j1", "j2"] {
            let last = d.ledger.jobs[name]?.history.last
            #expect(last?.slot == Self.t0 + 7200 && last?.outcome == .failed && last?.errorCode == "LedgerUnavailable")
            #expect(d.ledger.jobs[name]?.watermark == Self.t0 + 7200, "a restart does not run it either")
        }
    }

    @Test func aLedgerThatAcceptsNoMoreWritesStopsTheScheduler() throws {
        var d = try SchedulerDriver(Self.jobs(1), nowMs: Self.ms)
        d.tick(at: (Self.t0 + 3600) * 1000)
        d.completeWrite(failing: true, fatal: true)
        #expect(d.failed != nil && d.calls.isEmpty)
    }

    /// Defect 7: a jitter longer than the interval fires every slot at its own time.
    @Test func jitterLongerThanTheIntervalFiresEverySlotOnTime() throws {
        let toml = "[[job]]\nname = \"j\"\nflow = \"fx\"\nevery = \"5s\"\njitter = \"30s\"\n"
        var d = try SchedulerDriver(toml, nowMs: Self.ms)
        d.run(until: (Self.t0 + 600) * 1000)
        let job = try jobFile(toml).jobs[0]
        let expected = stride(from: Self.t0 - 30, through: Self.t0 + 600, by: 5).filter { job.fireTime(slot: $0) <= (Self.t0 + 600) * 1000 && job.fireTime(slot: $0) > Self.ms }
        #expect(Set(d.sentTokens) == Set(expected.map { job.clientToken(slot: $0) }))
        #expect(d.sentTokens.count == expected.count)
        let lateness = d.logs.filter { $0.fields["event"] == "starting" }.compactMap { $0.fields["lateness_ms"] }
        #expect(lateness.allSatisfy { $0 == "0" }, "\(lateness)")
        #expect(!d.records.contains { $0.kind == .skipped })
    }

    /// Defect 8: a slot a reload passed over is recorded, so a restart does not run it.
    @Test func aSlotPassedOverByAReloadStaysSkippedAfterARestart() throws {
        // Daily at 02:00 UTC, changed at 01:30 to 01:00: today's 01:00 is in the past.
        let day: Int64 = 1_800_000_000 - 1_800_000_000 % 86400
        let before = "[[job]]\nname = \"d\"\nflow = \"fx\"\ncron = \"0 2 * * *\"\ntimezone = \"UTC\"\n"
        let after = "[[job]]\nname = \"d\"\nflow = \"fx\"\ncron = \"0 1 * * *\"\ntimezone = \"UTC\"\n"
        var ledger = LedgerState()
        ledger.apply(.skipped(job: "d", flow: "fx", slot: day - 86400 + 7200, token: "t", at: Double(day - 86400 + 7200)), historyLimit: 50)
        var d = try SchedulerDriver(before, nowMs: (day + 5400) * 1000, ledger: ledger)
        d.send(.reloadRequested)
        d.send(.reloadLoaded(try jobFile(after)))
        d.drainLedger()
        #expect(d.calls.isEmpty)
        #expect(d.ledger.jobs["d"]?.watermark == day + 3600)
        // Restart within the catch-up window: nothing runs before tomorrow's 01:00.
        var restarted = try SchedulerDriver(after, nowMs: (day + 5460) * 1000, ledger: d.ledger)
        restarted.drainLedger()
        #expect(restarted.calls.isEmpty && restarted.wakeMs.map { $0 > (day + 5460) * 1000 } == true)
        #expect(restarted.machine.status.next?.fireMs == (day + 86400 + 3600) * 1000)
    }

    /// Defect 11: `overlap = "skip"` sees a start still in flight or retrying.
    @Test func overlapSkipSeesAStartInFlightOrRetrying() throws {
        var d = try SchedulerDriver("[[job]]\nname = \"w\"\nflow = \"fx\"\nevery = \"1m\"\nwait = true\noverlap = \"skip\"\n", nowMs: Self.ms)
        d.tick(at: (Self.t0 + 60) * 1000)
        d.completeWrite()
        #expect(d.calls.count == 1)
        // The first start is still in flight when the next slot comes.
        d.tick(at: (Self.t0 + 120) * 1000)
        d.drainLedger()
        #expect(d.calls.count == 1)
        #expect(d.ledger.jobs["w"]?.history.last?.slot == Self.t0 + 120 && d.ledger.jobs["w"]?.history.last?.outcome == .skipped)
        // Now it fails and retries: the next slot is skipped too.
        d.answerFirst(.failure(CallFailure(code: "ThrottlingException", message: "slow", retryable: true)), random: 1)
        d.drainLedger()
        d.tick(at: (Self.t0 + 180) * 1000)
        d.drainLedger()
        #expect(d.ledger.jobs["w"]?.history.last?.slot == Self.t0 + 180 && d.ledger.jobs["w"]?.history.last?.outcome == .skipped)
        #expect(Set(d.sentTokens).count == 1)
    }

    /// Defect 12 (scheduler side): each retry is recorded with its number before it is sent.
    @Test func retriesRecordTheirAttemptsForARestart() throws {
        var d = try SchedulerDriver("[retry]\nmax_attempts = 3\n" + Self.jobs(1), nowMs: Self.ms)
        d.tick(at: (Self.t0 + 3600) * 1000)
        d.completeWrite()
        d.answerFirst(.failure(CallFailure(code: "InternalServerException", message: "x", retryable: true)), random: 0)
        #expect(d.calls.isEmpty, "not before its record is durable")
        #expect(d.pendingWrite?.1.first?.attempts == 2)
        d.completeWrite()
        #expect(d.calls.map(\.1.attempt) == [2])
        #expect(d.ledger.jobs["j0"]?.unresolved.first?.value.attempts == 2)
        // Killed with attempt 2 in flight: the restart's send is attempt 3, the last.
        var restarted = try SchedulerDriver("[retry]\nmax_attempts = 3\n" + Self.jobs(1), nowMs: (Self.t0 + 3601) * 1000, ledger: d.ledger)
        #expect(restarted.calls.map(\.1.attempt) == [3])
        restarted.answerFirst(.failure(CallFailure(code: "InternalServerException", message: "x", retryable: true)), random: 0)
        restarted.drainLedger()
        #expect(restarted.calls.isEmpty)
        #expect(restarted.ledger.jobs["j0"]?.history.last?.outcome == .failed)
        #expect(restarted.ledger.jobs["j0"]?.history.last?.attempts == 3)
    }

    /// Defect 13: slots older than the window are counted, and the newest of them named.
    @Test func slotsOlderThanTheWindowAreCountedAndTheNewestNamed() throws {
        var ledger = LedgerState()
        ledger.apply(.skipped(job: "m", flow: "fx", slot: Self.t0 - 36_000, token: "t", at: 0), historyLimit: 50)
        var d = try SchedulerDriver("catch_up_window = \"6h\"\ncatch_up = \"skip\"\n[[job]]\nname = \"m\"\nflow = \"fx\"\nevery = \"1m\"\n", nowMs: Self.ms, ledger: ledger)
        d.drainLedger()
        let skipped = d.records.filter { $0.kind == .skipped }
        // After the watermark 10 h ago and before the window 6 h ago: 239 slots; inside the
        // window 361 more, of which the newest (now) is current and starts.
        #expect(skipped.first?.slot == Self.t0 - 21_600 - 60 && skipped.first?.message?.hasPrefix("239 slots") == true, "\(skipped)")
        #expect(skipped.count == 2 && skipped.last?.message?.hasPrefix("360 slots") == true, "\(skipped)")
        #expect(d.calls.count == 1)
    }

    /// SPEC section 2's catch-up rule: only the newest due slot is current.
    @Test(arguments: [
        // catch_up, interval, seconds down, starts expected, skipped expected
        ("skip", "5s", 27, 1, 4), ("latest", "5s", 27, 1, 4), ("all", "5s", 27, 5, 0),
        ("skip", "5m", 3670, 0, 12), ("latest", "5m", 3670, 1, 11), ("all", "5m", 3670, 12, 0),
    ] as [(String, String, Int64, Int, Int)])
    func catchUpFollowsTheJob(catchUp: String, every: String, down: Int64, starts: Int, skipped: Int) throws {
        var ledger = LedgerState()
        ledger.apply(.sent(job: "e", flow: "fx", slot: Self.t0, token: "t", at: Double(Self.t0)), historyLimit: 50)
        ledger.apply(LedgerRecord(kind: .outcome, job: "e", flow: "fx", slot: Self.t0, token: "t", at: Double(Self.t0), outcome: .started, final: true), historyLimit: 50)
        var d = try SchedulerDriver("rate_limit = 0\ncatch_up = \"\(catchUp)\"\n[[job]]\nname = \"e\"\nflow = \"fx\"\nevery = \"\(every)\"\n", nowMs: (Self.t0 + down) * 1000 + 500, ledger: ledger)
        d.settle()
        #expect(d.sentTokens.count == starts)
        let counted = d.records.filter { $0.kind == .skipped }.map { record -> Int in
            guard let message = record.message, let number = Int(message.prefix { $0.isNumber }), message.contains(" slots") else { return 1 }
            return number
        }.reduce(0, +)
        #expect(counted == skipped)
    }

    @Test func statusAtMostOnceASecondAndTheWatchdogFromTheLoop() throws {
        var d = try SchedulerDriver(Self.jobs(3, every: "1s"), nowMs: Self.ms, configuration: .init(watchdogInterval: .seconds(10), stopGrace: .seconds(1)))
        d.run(until: Self.ms + 30_000)
        let statuses = d.log.enumerated().filter { if case .notify(.status) = $0.element { true } else { false } }
        #expect(statuses.count >= 20 && statuses.count <= 31, "\(statuses.count)")
        let watchdogs = d.notifications.filter { $0 == .watchdog }.count
        #expect(watchdogs == 4, "at 0, 10, 20 and 30 s: \(watchdogs)")
    }
}
