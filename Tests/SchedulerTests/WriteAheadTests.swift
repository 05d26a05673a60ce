import JobFile
import Ledger
import Scheduling
import Testing
@testable import Scheduler

/// The `sent` record written ahead of the fire time (docs/ledger.md, "Written ahead"): durable
/// before the slot fires, so that the StartFlow leaves at the fire tick with no write between;
/// withdrawn when the slot is not sent after all; and what a restart makes of it.
@Suite(.timeLimit(.minutes(2)))
struct WriteAheadTests {
    static let t0: Int64 = 1_800_000_000  // 2027-01-15 08:00:00 UTC
    static let fire = t0 + 3600
    static let fireMs = fire * 1000

    static func job(_ name: String, every: String = "1h", extra: String = "") -> String {
        "[[job]]\nname = \"\(name)\"\nflow = \"f\(name)\"\nevery = \"\(every)\"\n\(extra)"
    }

    static func token(_ name: String, slot: Int64 = fire, salt: String = "") -> String {
        ClientToken.make(salt: salt, job: name, flow: "f\(name)", slot: slot)
    }

    /// The actions of one step, from `start` in the driver's log.
    static func step(_ d: SchedulerDriver, from start: Int) -> [SchedulerAction] { Array(d.log[start...]) }

    static func isStart(_ action: SchedulerAction) -> Bool { if case .startFlow = action { true } else { false } }
    static func isWrite(_ action: SchedulerAction) -> Bool { if case .appendLedger = action { true } else { false } }

    /// A ledger in which job `name` sent and started the slot before `fire`.
    static func history(_ names: [String]) -> LedgerState {
        var ledger = LedgerState()
        for name in names {
            ledger.apply(.sent(job: name, flow: "f\(name)", slot: t0, token: token(name, slot: t0), at: Double(t0)), historyLimit: 50)
            ledger.apply(LedgerRecord(kind: .outcome, job: name, flow: "f\(name)", slot: t0, token: token(name, slot: t0), at: Double(t0) + 1,
                                      outcome: .started, final: true, executionId: "e-0"), historyLimit: 50)
        }
        return ledger
    }

    @Test func theRecordIsWrittenAheadAndTheStartLeavesAtTheFireTickWithNoWriteBetween() throws {
        var d = try SchedulerDriver(Self.job("a"), nowMs: Self.t0 * 1000)
        #expect(d.wakeMs == Self.fireMs - 2000, "the timer wakes for the write ahead")
        d.tick(at: Self.fireMs - 2000)
        #expect(d.calls.isEmpty)
        let records = d.pendingWrite?.1 ?? []
        #expect(records == [.sentAhead(job: "a", flow: "fa", slot: Self.fire, token: Self.token("a"), at: Double(Self.fire - 2), fireAt: Double(Self.fire))])
        d.completeWrite()
        #expect(d.ledger.jobs["a"]?.unresolved[Self.fire]?.fireAt == Double(Self.fire))
        #expect(d.wakeMs == Self.fireMs, "then for the fire time")
        let start = d.log.count
        d.tick(at: Self.fireMs)
        let step = Self.step(d, from: start)
        let first = try #require(step.firstIndex(where: Self.isStart))
        #expect(!step[..<first].contains(where: Self.isWrite), "no ledger write between the tick and the StartFlow")
        #expect(d.pendingWrite == nil)
        #expect(d.sentTokens == [Self.token("a")])
        #expect(d.logs.contains { $0.fields["event"] == "starting" && $0.fields["lateness_ms"] == "0" })
        d.answerFirst()
        d.drainLedger()
        let job = d.ledger.jobs["a"]
        #expect(job?.watermark == Self.fire, "its outcome decides it")
        #expect(job?.unresolved.isEmpty == true)
        #expect(job?.history.last?.firstSentAt == Double(Self.fire - 2), "the record's time: before the send")
    }

    @Test func aWriteNotDurableAtTheFireTimeHoldsTheStartUntilItIs() throws {
        var d = try SchedulerDriver(Self.job("a"), nowMs: Self.t0 * 1000)
        d.tick(at: Self.fireMs - 2000)
        #expect(d.pendingWrite != nil)
        d.tick(at: Self.fireMs)
        d.tick(at: Self.fireMs + 700)
        #expect(d.calls.isEmpty, "never sent before the record is durable")
        d.completeWrite()
        #expect(d.sentTokens == [Self.token("a")])
        #expect(d.records.count == 1, "and not written twice")
    }

    @Test func aBurstIsRecordedInOneWriteAndStartedWithoutWriting() throws {
        var toml = "max_concurrency = 100\nrate_limit = 0\n"
        for i in 0..<200 { toml += Self.job("j\(i)") }
        var d = try SchedulerDriver(toml, nowMs: Self.t0 * 1000)
        d.tick(at: Self.fireMs - 2000)
        #expect(d.pendingWrite?.1.count == 200)
        #expect(d.pendingWrite?.1.allSatisfy { $0.kind == .sent && $0.fireAt == Double(Self.fire) } == true)
        d.completeWrite()
        let start = d.log.count
        d.tick(at: Self.fireMs)
        #expect(Self.step(d, from: start).filter(Self.isStart).count == 100, "max_concurrency")
        #expect(!Self.step(d, from: start).contains(where: Self.isWrite))
        d.settle()
        #expect(Set(d.sentTokens).count == 200 && d.sentTokens.count == 200)
        #expect(d.ledger.jobs.values.allSatisfy { $0.unresolved.isEmpty && $0.watermark == Self.fire })
    }

    @Test func slotsFiringWithinTwiceTheLeadShareAWriteAndAStartComesBeforeTheNextWrite() throws {
        var d = try SchedulerDriver(Self.job("s", every: "1s"), nowMs: Self.t0 * 1000)
        let first = Self.t0 + 1
        // At READY the first slot is 1 s away: the slots up to 4 s ahead, in one write.
        #expect(d.pendingWrite?.1.map(\.slot) == [first, first + 1, first + 2, first + 3])
        d.completeWrite()
        var writes = 1
        while d.nowMs < (first + 20) * 1000, let wake = d.wakeMs {
            let start = d.log.count
            d.tick(at: wake)
            let step = Self.step(d, from: start)
            if let write = step.firstIndex(where: Self.isWrite) {
                writes += 1
                #expect(!step[write...].contains(where: Self.isStart), "StartFlow before any write of the same step")
            }
            d.settle()
        }
        #expect(Self.counts(d.sentTokens).values.allSatisfy { $0 == 1 })
        #expect(d.sentTokens.count >= 19)
        #expect(writes < 19, "ahead records batched, not one write per slot")
    }

    static func counts(_ tokens: [String]) -> [String: Int] {
        tokens.reduce(into: [:]) { $0[$1, default: 0] += 1 }
    }

    @Test func aReloadThatRemovesAJobWithdrawsItsRecordAndKeepsTheOthers() throws {
        var d = try SchedulerDriver(Self.job("a") + Self.job("b"), nowMs: Self.t0 * 1000)
        d.tick(at: Self.fireMs - 2000)
        d.completeWrite()
        d.nowMs += 500
        d.send(.reloadRequested)
        d.send(.reloadLoaded(try jobFile(Self.job("b"))))
        let written = d.pendingWrite?.1 ?? []
        #expect(written.count == 1 && written.first?.withdraws == true && written.first?.job == "a", "\(written)")
        d.drainLedger()
        #expect(d.ledger.jobs["a"]?.unresolved.isEmpty == true)
        #expect(d.ledger.jobs["a"]?.history.isEmpty == true)
        #expect(d.ledger.jobs["b"]?.unresolved[Self.fire] != nil, "b keeps its record")
        d.run(until: Self.fireMs + 10_000)
        #expect(d.sentTokens == [Self.token("b")])
    }

    @Test func aReloadThatChangesTheTokenWithdrawsTheOldRecordAndWritesTheNew() throws {
        var d = try SchedulerDriver(Self.job("a"), nowMs: Self.t0 * 1000)
        d.tick(at: Self.fireMs - 2000)
        d.completeWrite()
        d.send(.reloadRequested)
        d.send(.reloadLoaded(try jobFile("token_salt = \"v2\"\n" + Self.job("a"))))
        let written = d.pendingWrite?.1 ?? []
        #expect(written.map(\.withdraws) == [true, false])
        #expect(written.map(\.token) == [Self.token("a"), Self.token("a", salt: "v2")])
        d.drainLedger()
        #expect(d.ledger.jobs["a"]?.unresolved[Self.fire]?.token == Self.token("a", salt: "v2"))
        let start = d.log.count
        d.tick(at: Self.fireMs)
        #expect(!Self.step(d, from: start).contains(where: Self.isWrite))
        #expect(d.sentTokens == [Self.token("a", salt: "v2")])
    }

    @Test func aReloadThatLeavesTheJobAsItWasWritesNothing() throws {
        var d = try SchedulerDriver(Self.job("a"), nowMs: Self.t0 * 1000)
        d.tick(at: Self.fireMs - 2000)
        d.completeWrite()
        d.send(.reloadRequested)
        d.send(.reloadLoaded(try jobFile(Self.job("a"))))
        #expect(d.pendingWrite == nil)
        d.tick(at: Self.fireMs)
        #expect(d.sentTokens == [Self.token("a")])
    }

    @Test func aStopBeforeTheFireTimeWithdrawsTheRecord() throws {
        var d = try SchedulerDriver(Self.job("a"), nowMs: Self.t0 * 1000, ledger: Self.history(["a"]))
        d.tick(at: Self.fireMs - 2000)
        d.completeWrite()
        d.nowMs = Self.fireMs - 1000
        d.send(.shutdownRequested)
        #expect(d.pendingWrite?.1.map(\.withdraws) == [true])
        #expect(!d.finished, "the withdrawal is written first")
        d.completeWrite()
        #expect(d.finished)
        #expect(d.calls.isEmpty)
        let job = d.ledger.jobs["a"]
        #expect(job?.unresolved.isEmpty == true)
        #expect(job?.watermark == Self.t0)
    }

    /// After a stop before the fire time, a restart after it behaves as if nothing had been
    /// written: the catch-up rule decides.
    @Test(arguments: [("latest", 30, true), ("skip", 30, true), ("skip", 120, false), ("latest", 120, true)])
    func aRestartAfterAStopFollowsTheCatchUpRule(catchUp: String, lateSeconds: Int64, starts: Bool) throws {
        let toml = "catch_up = \"\(catchUp)\"\n" + Self.job("a")
        var d = try SchedulerDriver(toml, nowMs: Self.t0 * 1000, ledger: Self.history(["a"]))
        d.tick(at: Self.fireMs - 2000)
        d.completeWrite()
        d.send(.shutdownRequested)
        d.drainLedger()
        #expect(d.finished)
        var r = try SchedulerDriver(toml, nowMs: Self.fireMs + lateSeconds * 1000, ledger: d.ledger)
        r.settle()
        #expect(r.sentTokens == (starts ? [Self.token("a")] : []))
        if !starts { #expect(r.ledger.jobs["a"]?.history.last?.outcome == .skipped) }
        #expect(r.ledger.jobs["a"]?.unresolved.isEmpty == true)
    }

    /// A crash between the write and the fire time, and a restart after it: the slot may have
    /// been sent, so it is sent again with its token at once, whatever catch-up says, and once.
    @Test func aCrashAfterTheWriteAndARestartAfterTheFireTimeResendsTheToken() throws {
        let toml = "catch_up = \"skip\"\n" + Self.job("a")
        var d = try SchedulerDriver(toml, nowMs: Self.t0 * 1000, ledger: Self.history(["a"]))
        d.tick(at: Self.fireMs - 2000)
        d.completeWrite()
        var r = try SchedulerDriver(toml, nowMs: Self.fireMs + 300_000, ledger: d.ledger)
        #expect(r.calls.map(\.1.token) == [Self.token("a")])
        #expect(r.logs.contains { $0.fields["event"] == "resuming" })
        r.settle()
        r.run(until: Self.fireMs + 1_800_000)
        #expect(r.sentTokens == [Self.token("a")], "once")
        #expect(r.ledger.jobs["a"]?.watermark == Self.fire)
        #expect(r.ledger.jobs["a"]?.history.last?.outcome == .started)
    }

    /// A crash and a restart before the fire time: the slot is not sent yet, and fires at its
    /// time, once, with the record already written.
    @Test func aRestartBeforeTheFireTimeFiresTheSlotAtItsTime() throws {
        var d = try SchedulerDriver(Self.job("a"), nowMs: Self.t0 * 1000, ledger: Self.history(["a"]))
        d.tick(at: Self.fireMs - 2000)
        d.completeWrite()
        var r = try SchedulerDriver(Self.job("a"), nowMs: Self.fireMs - 1000, ledger: d.ledger)
        #expect(r.calls.isEmpty)
        #expect(r.pendingWrite == nil, "the record on disk is kept")
        #expect(r.wakeMs == Self.fireMs)
        let start = r.log.count
        r.tick(at: Self.fireMs)
        #expect(!Self.step(r, from: start).contains(where: Self.isWrite))
        #expect(r.sentTokens == [Self.token("a")])
        r.settle()
        r.run(until: Self.fireMs + 600_000)
        #expect(r.sentTokens == [Self.token("a")])
    }

    @Test func aRestartBeforeTheFireTimeWithAnotherTokenOrWithoutTheJobWithdrawsTheRecord() throws {
        var d = try SchedulerDriver(Self.job("a") + Self.job("b"), nowMs: Self.t0 * 1000)
        d.tick(at: Self.fireMs - 2000)
        d.completeWrite()
        var r = try SchedulerDriver("token_salt = \"v2\"\n" + Self.job("a"), nowMs: Self.fireMs - 1000, ledger: d.ledger)
        let written = r.pendingWrite?.1 ?? []
        #expect(Set(written.filter(\.withdraws).map(\.token)) == [Self.token("a"), Self.token("b")])
        #expect(written.filter { !$0.withdraws }.map(\.token) == [Self.token("a", salt: "v2")])
        r.drainLedger()
        #expect(r.ledger.jobs["b"]?.unresolved.isEmpty == true, "b was removed: never sent, and never will be")
        r.tick(at: Self.fireMs)
        #expect(r.sentTokens == [Self.token("a", salt: "v2")])
    }

    /// Catch-up passes over slots recorded ahead when the daemon is late: none of them stays
    /// open in the ledger (a restart would send it).
    @Test func slotsRecordedAheadAndPassedOverByCatchUpDoNotStayOpen() throws {
        var d = try SchedulerDriver(Self.job("s", every: "1s", extra: "catch_up = \"latest\"\n"), nowMs: Self.t0 * 1000)
        let first = Self.t0 + 1
        d.completeWrite()
        // Late: slots first ... first + 2 are due at once; only the newest is current.
        d.tick(at: (first + 2) * 1000 + 500)
        d.settle()
        #expect(d.sentTokens == [ClientToken.make(salt: "", job: "s", flow: "fs", slot: first + 2)])
        let job = d.ledger.jobs["s"]
        #expect(job?.unresolved.keys.allSatisfy { $0 > first + 2 } == true, "only records ahead of the present")
        #expect(job?.unresolved.values.allSatisfy { ($0.fireAt ?? 0) * 1000 > Double(d.nowMs) } == true)
        #expect(job?.history.first { $0.slot == first + 1 }?.outcome == .skipped)
        #expect(job?.history.contains { $0.slot == first } == false, "withdrawn: the skip of the newest counts it")
        #expect(job?.watermark == first + 2)
    }

    @Test func withoutALeadTheRecordIsWrittenAtTheFireTime() throws {
        var configuration = SchedulerStateMachine.Configuration(stopGrace: .seconds(10))
        configuration.recordAhead = .zero
        var d = try SchedulerDriver(Self.job("a"), nowMs: Self.t0 * 1000, configuration: configuration)
        #expect(d.wakeMs == Self.fireMs)
        d.tick(at: Self.fireMs)
        #expect(d.calls.isEmpty && d.pendingWrite?.1.map(\.fireAt) == [nil])
        d.completeWrite()
        #expect(d.sentTokens == [Self.token("a")])
    }
}
