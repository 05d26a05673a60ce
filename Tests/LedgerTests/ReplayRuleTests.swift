import Testing
import TestSupport
@testable import Ledger

@Suite(.timeLimit(.minutes(5))) struct ReplayRuleTests {
    let t: Int64 = Records.base

    @Test func sentMakesASlotUnresolvedAndMovesTheWatermark() {
        let state = LedgerState.replaying([Records.sent("j", t, at: 10), Records.sent("j", t - 60, at: 11)])
        let job = state.jobs["j"]
        #expect(job?.watermark == t)
        #expect(job?.unresolved.keys.sorted() == [t - 60, t])
        #expect(job?.unresolved[t]?.firstSentAt == 10)
        #expect(job?.unresolved[t]?.token == Records.token("j", t))
        #expect(job?.history.map(\.slot) == [t - 60, t])
    }

    @Test func sentTwiceKeepsTheFirstSendTime() {
        let state = LedgerState.replaying([Records.sent("j", t, at: 10), Records.sent("j", t, at: 99)])
        #expect(state.jobs["j"]?.unresolved[t]?.firstSentAt == 10)
        #expect(state.jobs["j"]?.unresolved[t]?.updatedAt == 99)
    }

    @Test func startedWithWaitRunsUntilTheRunEnds() {
        var state = LedgerState.replaying([
            Records.sent("j", t, at: 10),
            Records.outcome("j", t, .started, at: 11, final: false, executionId: "e1"),
        ])
        #expect(state.jobs["j"]?.unresolved.isEmpty == true)
        #expect(state.jobs["j"]?.running[t]?.executionId == "e1")
        state.apply(Records.outcome("j", t, .succeeded, at: 20, recordsProcessed: 42), historyLimit: 50)
        let job = state.jobs["j"]
        #expect(job?.running.isEmpty == true)
        let last = job?.lastSlot
        #expect(last?.outcome == .succeeded)
        #expect(last?.executionId == "e1", "a later record without executionId keeps the earlier one")
        #expect(last?.recordsProcessed == 42)
        #expect(last?.firstSentAt == 10)
        #expect(last?.updatedAt == 20)
    }

    @Test func startedWithoutWaitIsFinal() {
        let state = LedgerState.replaying([
            Records.sent("j", t, at: 10), Records.outcome("j", t, .started, at: 11, final: true, executionId: "e1"),
        ])
        #expect(state.jobs["j"]?.running.isEmpty == true)
        #expect(state.jobs["j"]?.unresolved.isEmpty == true)
        #expect(state.jobs["j"]?.lastSlot?.outcome == .started)
    }

    @Test func withoutAFlagOnlyStartedWaits() {
        var state = LedgerState.replaying([Records.sent("j", t, at: 1), Records.outcome("j", t, .started, at: 2)])
        #expect(state.jobs["j"]?.running[t] != nil)
        // A detail update without an outcome keeps a running slot running.
        state.apply(Records.outcome("j", t, nil, at: 3, message: "polling"), historyLimit: 50)
        #expect(state.jobs["j"]?.running[t]?.message == "polling")
        state.apply(Records.outcome("j", t, .canceled, at: 4), historyLimit: 50)
        #expect(state.jobs["j"]?.running.isEmpty == true)
    }

    @Test(arguments: [SlotOutcome.activated, .failed, .skipped, .outcomeUnknown, .succeeded, .errored, .canceled])
    func everyOtherOutcomeIsFinalByDefault(outcome: SlotOutcome) {
        let state = LedgerState.replaying([Records.sent("j", t, at: 1), Records.outcome("j", t, outcome, at: 2)])
        #expect(state.jobs["j"]?.unresolved.isEmpty == true)
        #expect(state.jobs["j"]?.running.isEmpty == true)
        #expect(state.jobs["j"]?.lastSlot?.outcome == outcome)
    }

    @Test func skippedMovesTheWatermarkAndResolvesTheSlot() {
        let state = LedgerState.replaying([
            Records.sent("j", t, at: 1), Records.skipped("j", t, at: 2), Records.skipped("j", t + 60, at: 3),
        ])
        let job = state.jobs["j"]
        #expect(job?.watermark == t + 60)
        #expect(job?.unresolved.isEmpty == true)
        #expect(job?.history.map(\.outcome) == [.skipped, .skipped])
        #expect(job?.history.first?.firstSentAt == 1)
        #expect(job?.history.last?.firstSentAt == nil)
    }

    @Test func theWatermarkNeverGoesBack() {
        let state = LedgerState.replaying([Records.sent("j", t + 600, at: 1), Records.skipped("j", t, at: 2)])
        #expect(state.jobs["j"]?.watermark == t + 600)
    }

    @Test func anOutcomeAloneDoesNotMoveTheWatermark() {
        let state = LedgerState.replaying([Records.outcome("j", t, .failed, at: 1)])
        #expect(state.jobs["j"]?.watermark == nil)
        #expect(state.jobs["j"]?.lastSlot?.firstSentAt == nil)
    }

    @Test func theHistoryKeepsTheNewestSlotsInSlotOrder() {
        let records = (0..<5).map { Records.skipped("j", t + Int64($0) * 60, at: Double($0)) }.reversed()
        var state = LedgerState.replaying(Array(records), historyLimit: 3)
        #expect(state.jobs["j"]?.history.map(\.slot) == [t + 120, t + 180, t + 240], "inserted newest first")
        state = LedgerState.replaying((0..<5).map { Records.skipped("j", t + Int64($0) * 60, at: Double($0)) }, historyLimit: 3)
        #expect(state.jobs["j"]?.history.map(\.slot) == [t + 120, t + 180, t + 240])
        // An older slot arriving late does not push a newer one out.
        state.apply(Records.skipped("j", t, at: 9), historyLimit: 3)
        #expect(state.jobs["j"]?.history.map(\.slot) == [t + 120, t + 180, t + 240])
    }

    @Test func unresolvedAndRunningSlotsOutliveTheHistory() {
        var records = [Records.sent("j", t, at: 1), Records.sent("j", t + 60, at: 2)]
        records.append(Records.outcome("j", t + 60, .started, at: 3, final: false))
        records += (2..<6).map { Records.skipped("j", t + Int64($0) * 60, at: 4) }
        var state = LedgerState.replaying(records, historyLimit: 2)
        #expect(state.jobs["j"]?.history.map(\.slot) == [t + 240, t + 300])
        #expect(state.jobs["j"]?.unresolved[t]?.firstSentAt == 1)
        #expect(state.jobs["j"]?.running[t + 60]?.outcome == .started)
        // The answer of a slot that left the history still finds the slot's summary.
        state.apply(Records.outcome("j", t, .activated, at: 5), historyLimit: 2)
        #expect(state.jobs["j"]?.unresolved.isEmpty == true)
        #expect(state.jobs["j"]?.history.map(\.slot) == [t + 240, t + 300])
    }

    @Test func theFlowFollowsTheLatestRecord() {
        let state = LedgerState.replaying([
            Records.sent("j", t, at: 1, flow: "old"), Records.sent("j", t + 60, at: 2, flow: "new"),
        ])
        #expect(state.jobs["j"]?.flow == "new")
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func randomSequencesAgreeWithTheReference(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        let records = Records.random(count: 400, using: &generator)
        for limit in [0, 1, 3, 50] {
            var reference = ReferenceReplay(limit: limit)
            var state = LedgerState()
            for (index, record) in records.enumerated() {
                reference.apply(record)
                state.apply(record, historyLimit: limit)
                if index % 40 == 0 || index == records.count - 1 {
                    #expect(state == reference.state, "seed \(seed), limit \(limit), after record \(index)")
                }
            }
        }
    }
}
