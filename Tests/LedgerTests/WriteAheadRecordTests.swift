import Foundation
import Testing
import TestSupport
@testable import Ledger

/// `sent` records written ahead of the slot's fire time (`fireAt`) and their withdrawals
/// (docs/ledger.md, "Written ahead").
@Suite(.timeLimit(.minutes(5))) struct WriteAheadRecordTests {
    let t: Int64 = Records.base

    @Test func aSentWrittenAheadIsUnresolvedWithItsFireTimeAndLeavesTheWatermark() {
        let state = LedgerState.replaying([
            Records.sent("j", t - 60, at: 1), Records.sentAhead("j", t, at: Double(t) - 2, fireAt: Double(t) + 0.75),
        ])
        let job = state.jobs["j"]
        #expect(job?.watermark == t - 60, "not decided until it is sent")
        #expect(job?.unresolved[t]?.fireAt == Double(t) + 0.75)
        #expect(job?.unresolved[t]?.firstSentAt == Double(t) - 2, "the record's time: earlier than the send")
        #expect(job?.unresolved[t - 60]?.fireAt == nil)
        #expect(job?.history.map(\.slot) == [t - 60], "not in the history until it is sent")
    }

    /// `appflowd status` reads with a history of 1: records written ahead and then withdrawn
    /// must not leave it empty.
    @Test func aShortHistoryKeepsTheLastSentSlotThroughRecordsAheadAndWithdrawals() {
        let state = LedgerState.replaying([
            Records.sent("j", t, at: 1), Records.outcome("j", t, .started, at: 2, final: true),
            Records.sentAhead("j", t + 60, at: 3, fireAt: Double(t + 60)), Records.sentAhead("j", t + 120, at: 3, fireAt: Double(t + 120)),
            Records.withdrawn("j", t + 60, at: 4), Records.withdrawn("j", t + 120, at: 4),
        ], historyLimit: 1)
        #expect(state.jobs["j"]?.history.map(\.slot) == [t])
        #expect(state.jobs["j"]?.lastSlot?.outcome == .started)
    }

    @Test func theOutcomeOfASlotSentAheadMovesTheWatermark() {
        var state = LedgerState.replaying([
            Records.sentAhead("j", t, at: 1, fireAt: Double(t)),
            Records.outcome("j", t, .started, at: 2, final: false, executionId: "e1"),
        ])
        #expect(state.jobs["j"]?.watermark == t)
        #expect(state.jobs["j"]?.running[t]?.fireAt == Double(t))
        state.apply(Records.outcome("j", t, .succeeded, at: 3), historyLimit: 50)
        #expect(state.jobs["j"]?.watermark == t)
        #expect(state.jobs["j"]?.running.isEmpty == true)
    }

    @Test func aRetryOfASlotSentAheadMovesTheWatermark() {
        var retry = Records.sent("j", t, at: 5)
        retry.attempts = 2
        let state = LedgerState.replaying([Records.sentAhead("j", t, at: 1, fireAt: Double(t)), retry])
        #expect(state.jobs["j"]?.watermark == t)
        #expect(state.jobs["j"]?.unresolved[t]?.firstSentAt == 1)
        #expect(state.jobs["j"]?.unresolved[t]?.attempts == 2)
    }

    @Test func aSkipOfASlotSentAheadResolvesItAndMovesTheWatermark() {
        let state = LedgerState.replaying([Records.sentAhead("j", t, at: 1, fireAt: Double(t)), Records.skipped("j", t, at: 2)])
        #expect(state.jobs["j"]?.watermark == t)
        #expect(state.jobs["j"]?.unresolved.isEmpty == true)
        #expect(state.jobs["j"]?.lastSlot?.outcome == .skipped)
    }

    @Test func aWithdrawalForgetsTheSlotAndLeavesTheWatermark() {
        var state = LedgerState.replaying([
            Records.sent("j", t - 60, at: 1), Records.outcome("j", t - 60, .started, at: 2, final: true),
            Records.sentAhead("j", t, at: 3, fireAt: Double(t)), Records.withdrawn("j", t, at: 4),
        ])
        let job = state.jobs["j"]
        #expect(job?.watermark == t - 60)
        #expect(job?.unresolved.isEmpty == true)
        #expect(job?.history.map(\.slot) == [t - 60], "never sent: not in the history either")
        // Recorded again later: a fresh summary, with its own first send time.
        state.apply(Records.sentAhead("j", t, at: 7, fireAt: Double(t)), historyLimit: 50)
        #expect(state.jobs["j"]?.unresolved[t]?.firstSentAt == 7)
    }

    @Test func aSnapshotKeepsTheFireTime() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (ledger, _) = try await openLedger(dir.stateDirectory)
        try await ledger.append(Records.sentAhead("j", t, at: 1, fireAt: Double(t) + 0.125))
        try await ledger.append(Records.sentAhead("j", t + 60, at: 2, fireAt: Double(t) + 60.5))
        try await ledger.append(Records.withdrawn("j", t + 60, at: 3))
        try ledger.compact()
        let before = ledger.state()
        ledger.close()
        let snapshot = try String(contentsOfFile: dir.stateDirectory + "/ledger.jsonl", encoding: .utf8)
        #expect(snapshot.contains(#""fireAt":1764000000.125"#))
        let (reopened, state) = try await openLedger(dir.stateDirectory)
        defer { reopened.close() }
        #expect(state == before)
        #expect(state.jobs["j"]?.unresolved[t]?.fireAt == Double(t) + 0.125)
        #expect(state.jobs["j"]?.watermark == nil)
    }

    /// What an appflowd before this change reads: a `sent` and a `skipped` line of v1, so it
    /// loads the file (it ignores the keys it does not know), and never sends a withdrawn slot.
    @Test func theNewRecordsAreV1SentAndSkippedLines() throws {
        let lines = String(decoding: try LedgerFormat.encode([
            .sentAhead(job: "j", flow: "f", slot: 1_764_000_000, token: "appflowd-00", at: 1_763_999_998.5, fireAt: 1_764_000_000.25),
            .withdrawn(job: "j", flow: "f", slot: 1_764_000_000, token: "appflowd-00", at: 1_763_999_999, message: "stopped"),
        ]), as: UTF8.self)
        #expect(lines == #"{"at":1763999998.5,"fireAt":1764000000.25,"flow":"f","job":"j","kind":"sent","slot":1764000000,"token":"appflowd-00","v":1}"# + "\n"
            + #"{"at":1763999999,"final":true,"flow":"f","job":"j","kind":"skipped","message":"stopped","outcome":"skipped","slot":1764000000,"token":"appflowd-00","v":1,"withdrawn":true}"# + "\n")
    }

    /// A ledger written before records could be written ahead: no `fireAt`, no `withdrawn`.
    @Test func aLedgerWrittenBeforeLoadsAsItDid() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let text = [
            #"{"createdAt":1764000000.5,"format":"appflowd-ledger","jobs":1,"kind":"header","v":1}"#,
            #"{"flow":"f","history":[{"firstSentAt":1764000001.2,"outcome":"started","slot":1764000000,"token":"appflowd-a","updatedAt":1764000001.9}],"job":"j","kind":"job","running":[],"unresolved":[],"v":1,"watermark":1764000000}"#,
            #"{"at":1764000061.3,"flow":"f","job":"j","kind":"sent","slot":1764000060,"token":"appflowd-b","v":1}"#,
            #"{"at":1764000121.1,"final":true,"flow":"f","job":"j","kind":"skipped","message":"catch-up","outcome":"skipped","slot":1764000120,"token":"appflowd-c","v":1}"#,
            #"{"at":1764000122.1,"flow":"f","job":"j","kind":"outcome","outcome":"failed","slot":1764000180,"token":"appflowd-d","v":1}"#,
        ].joined(separator: "\n") + "\n"
        try FileManager.default.createDirectory(atPath: dir.stateDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        #expect(FileManager.default.createFile(atPath: dir.stateDirectory + "/ledger.jsonl", contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]))
        let (ledger, state) = try await openLedger(dir.stateDirectory)
        defer { ledger.close() }
        let job = state.jobs["j"]
        #expect(job?.watermark == t + 120, "sent and skipped move it; an outcome alone does not")
        #expect(job?.unresolved.keys.sorted() == [t + 60])
        #expect(job?.unresolved[t + 60]?.fireAt == nil, "so a restart takes it as possibly sent, as before")
        #expect(job?.history.map(\.slot) == [t, t + 60, t + 120, t + 180])
    }
}
