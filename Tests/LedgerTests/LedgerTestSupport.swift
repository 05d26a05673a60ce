import Foundation
import TestSupport
@testable import Ledger

/// A fresh directory under the system's temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/ledger-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// A path inside it that does not exist yet, for the ledger to create.
    var stateDirectory: String { path + "/state" }
    var ledgerFile: String { stateDirectory + "/ledger.jsonl" }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// `Ledger.open`, waiting out a lock that another process holds for a moment. Other tests of
/// this run start child processes, and a child holds a copy of every descriptor of the test
/// process, the lock file's included, until its exec closes them (they are O_CLOEXEC); under
/// load that can outlast the `close()` that released the flock. A lock that stays held still
/// fails, after `limit`.
func openLedger(
    _ directory: String, historyLimit: Int = 50, compactionMinimumBytes: Int? = nil, within limit: Duration = .seconds(10)
) async throws -> (Ledger, LedgerState) {
    var opened: (Ledger, LedgerState)?
    try await eventually("the ledger lock on \(directory)", within: limit) {
        do {
            if let compactionMinimumBytes {
                opened = try Ledger.open(directory: directory, historyLimit: historyLimit, compactionMinimumBytes: compactionMinimumBytes)
            } else {
                opened = try Ledger.open(directory: directory, historyLimit: historyLimit)
            }
            return true
        } catch let error as LedgerError where error.code == .locked {
            return false
        }
    }
    return opened!
}

enum Records {
    static let base: Int64 = 1_764_000_000

    static func token(_ job: String, _ slot: Int64) -> String { "appflowd-\(job)-\(slot)" }

    static func sent(_ job: String, _ slot: Int64, at: Double, flow: String = "flow") -> LedgerRecord {
        .sent(job: job, flow: flow, slot: slot, token: token(job, slot), at: at)
    }

    static func outcome(
        _ job: String, _ slot: Int64, _ outcome: SlotOutcome?, at: Double, final: Bool? = nil,
        executionId: String? = nil, recordsProcessed: Int64? = nil, message: String? = nil
    ) -> LedgerRecord {
        LedgerRecord(
            kind: .outcome, job: job, flow: "flow", slot: slot, token: token(job, slot), at: at,
            outcome: outcome, final: final, executionId: executionId, message: message,
            recordsProcessed: recordsProcessed)
    }

    static func skipped(_ job: String, _ slot: Int64, at: Double) -> LedgerRecord {
        .skipped(job: job, flow: "flow", slot: slot, token: token(job, slot), at: at, message: "catch-up")
    }

    static func sentAhead(_ job: String, _ slot: Int64, at: Double, fireAt: Double) -> LedgerRecord {
        .sentAhead(job: job, flow: "flow", slot: slot, token: token(job, slot), at: at, fireAt: fireAt)
    }

    static func withdrawn(_ job: String, _ slot: Int64, at: Double) -> LedgerRecord {
        .withdrawn(job: job, flow: "flow", slot: slot, token: token(job, slot), at: at, message: "stopped")
    }

    /// A random but plausible-to-odd sequence: few jobs and slots, so that slots repeat, leave
    /// the history, come back, and get every kind of record in every order.
    static func random(count: Int, using generator: inout SeededGenerator) -> [LedgerRecord] {
        let jobs = ["a", "b", "c\"quoted\\ \n", "日本"]
        var clock = 1_764_000_000.0
        return (0..<count).map { _ in
            clock += Double(Int.random(in: 0...5_000, using: &generator)) / 1_000
            let job = jobs.randomElement(using: &generator)!
            let slot = base + Int64.random(in: 0..<12, using: &generator) * 60
            let kind = LedgerRecord.Kind.allCases.randomElement(using: &generator)!
            var record = LedgerRecord(
                kind: kind, job: job, flow: "flow-\(Int.random(in: 0..<2, using: &generator))",
                slot: slot, token: token(job, slot), at: clock)
            if kind != .sent || Bool.random(using: &generator) {
                record.outcome = Bool.random(using: &generator) ? SlotOutcome.allCases.randomElement(using: &generator) : nil
            }
            record.final = [nil, true, false].randomElement(using: &generator)!
            if Bool.random(using: &generator) { record.executionId = "exec-\(UInt32.random(in: 0...9, using: &generator))" }
            if Bool.random(using: &generator) { record.errorCode = "ThrottlingException" }
            if Bool.random(using: &generator) { record.message = "msg \(Int.random(in: 0...9, using: &generator))" }
            if Bool.random(using: &generator) { record.attempts = Int.random(in: 1...8, using: &generator) }
            if Bool.random(using: &generator) { record.recordsProcessed = Int64.random(in: 0...1_000_000, using: &generator) }
            if Bool.random(using: &generator) { record.bytesWritten = Int64.random(in: 0...Int64.max, using: &generator) }
            // Records written ahead and their withdrawals (docs/ledger.md, "Written ahead").
            if kind == .sent, Int.random(in: 0..<3, using: &generator) == 0 { record.fireAt = Double(slot) + 0.25 }
            if kind == .skipped, Int.random(in: 0..<3, using: &generator) == 0 { record.withdrawn = true }
            return record
        }
    }
}

extension LedgerState {
    static func replaying(_ records: [LedgerRecord], historyLimit: Int = 50) -> LedgerState {
        var state = LedgerState()
        state.apply(records, historyLimit: historyLimit)
        return state
    }
}

/// The permission bits of a file or directory.
func permissions(_ path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
}

func appendBytes(_ bytes: [UInt8], to path: String) throws {
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    try handle.seekToEnd()
    try handle.write(contentsOf: Data(bytes))
}

func fileSize(_ path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return (attributes[.size] as? NSNumber)?.intValue ?? -1
}
