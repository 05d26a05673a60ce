import Foundation
import Testing
import TestSupport
@testable import Ledger

@Suite(.timeLimit(.minutes(5))) struct CompactionTests {
    /// replay(snapshot(replay(prefix)) + suffix) == replay(prefix + suffix), through the bytes
    /// of the file format, at every split point of random sequences.
    @Test(arguments: [11, 12, 13, 14, 15, 16] as [UInt64])
    func aSnapshotReplaysLikeTheRecordsItReplaces(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        let records = Records.random(count: 120, using: &generator)
        for limit in [0, 2, 50] {
            let parser = LedgerParser(path: "ledger.jsonl", historyLimit: limit)
            let header = try LedgerFormat.snapshot(of: LedgerState(), createdAt: 0)
            let expected = try parser.parse(header + LedgerFormat.encode(records)).state
            #expect(expected == LedgerState.replaying(records, historyLimit: limit), "the JSON round trip is exact")
            for split in stride(from: 0, through: records.count, by: 7) {
                let prefix = LedgerState.replaying(Array(records[..<split]), historyLimit: limit)
                let file = try LedgerFormat.snapshot(of: prefix, createdAt: 1) + LedgerFormat.encode(Array(records[split...]))
                #expect(try parser.parse(file).state == expected, "seed \(seed), limit \(limit), split \(split)")
            }
        }
    }

    @Test(arguments: [21, 22, 23] as [UInt64])
    func compactingOnDiskKeepsTheReplayedState(seed: UInt64) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var generator = SeededGenerator(seed: seed)
        let records = Records.random(count: 200, using: &generator)
        let (ledger, _) = try await openLedger(dir.stateDirectory, historyLimit: 4)
        for (index, record) in records.enumerated() {
            try await ledger.append(record)
            if index % 50 == 49 { try ledger.compact() }
        }
        let expected = LedgerState.replaying(records, historyLimit: 4)
        #expect(ledger.state() == expected)
        ledger.close()
        let (reopened, state) = try await openLedger(dir.stateDirectory, historyLimit: 4)
        reopened.close()
        #expect(state == expected)
        #expect(try LedgerReader.read(directory: dir.stateDirectory, historyLimit: 4) == expected)
    }

    @Test func compactionShrinksTheFileToOneLinePerJob() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (ledger, _) = try await openLedger(dir.stateDirectory, historyLimit: 3)
        defer { ledger.close() }
        for slot in 0..<100 {
            try await ledger.append([
                Records.sent("a", Records.base + Int64(slot) * 60, at: Double(slot)),
                Records.outcome("a", Records.base + Int64(slot) * 60, .activated, at: Double(slot)),
                Records.skipped("b", Records.base + Int64(slot) * 60, at: Double(slot)),
            ])
        }
        let before = try fileSize(dir.ledgerFile)
        try ledger.compact()
        let lines = try String(contentsOfFile: dir.ledgerFile, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3, "a header and two jobs")
        #expect(lines.first?.contains(#""kind":"header""#) == true)
        #expect(try fileSize(dir.ledgerFile) < before / 10)
        #expect(!FileManager.default.fileExists(atPath: dir.stateDirectory + "/ledger.jsonl.tmp"))
    }

    @Test func compactionCanForgetJobsTheDaemonNoLongerHas() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (ledger, _) = try await openLedger(dir.stateDirectory)
        try await ledger.append([Records.sent("keep", Records.base, at: 1), Records.sent("gone", Records.base, at: 1)])
        try ledger.compact(keepingJobs: ["keep", "never-seen"])
        #expect(ledger.state().jobs.keys.sorted() == ["keep"])
        ledger.close()
        let (reopened, state) = try await openLedger(dir.stateDirectory)
        reopened.close()
        #expect(state.jobs.keys.sorted() == ["keep"])
        #expect(state.jobs["keep"]?.unresolved[Records.base]?.firstSentAt == 1)
    }

    @Test func theLogIsCompactedAutomaticallyWhenItOutgrowsTheSnapshot() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (ledger, _) = try await openLedger(dir.stateDirectory, historyLimit: 5, compactionMinimumBytes: 4_096)
        var records: [LedgerRecord] = []
        for slot in 0..<500 {
            let record = Records.skipped("j\(slot % 3)", Records.base + Int64(slot) * 60, at: Double(slot))
            records.append(record)
            try await ledger.append(record)
        }
        #expect(ledger.compactionCount > 0)
        #expect(try fileSize(dir.ledgerFile) < 4 * 4_096 + 8_192)
        ledger.close()
        let (reopened, state) = try await openLedger(dir.stateDirectory, historyLimit: 5)
        reopened.close()
        #expect(state == LedgerState.replaying(records, historyLimit: 5))
    }

    @Test func aLeftoverTemporaryFileIsIgnoredAndRemoved() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (ledger, _) = try await openLedger(dir.stateDirectory)
        try await ledger.append(Records.sent("j", Records.base, at: 1))
        let expected = ledger.state()
        ledger.close()
        let temporary = dir.stateDirectory + "/ledger.jsonl.tmp"
        _ = FileManager.default.createFile(atPath: temporary, contents: Data(#"{"v":1,"kind":"head"#.utf8))
        let (reopened, state) = try await openLedger(dir.stateDirectory)
        reopened.close()
        #expect(state == expected)
        #expect(!FileManager.default.fileExists(atPath: temporary))
    }
}
