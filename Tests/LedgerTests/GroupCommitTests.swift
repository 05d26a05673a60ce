import Foundation
import Testing
@testable import Ledger

@Suite(.timeLimit(.minutes(5))) struct GroupCommitTests {
    @Test func concurrentAppendsAreAllDurableAndShareCommits() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (ledger, _) = try await openLedger(dir.stateDirectory)
        let count = 10_000
        let jobs = 100
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<count {
                group.addTask {
                    let job = "job-\(index % jobs)"
                    try await ledger.append(Records.sent(job, Records.base + Int64(index / jobs) * 60, at: Double(index)))
                }
            }
            try await group.waitForAll()
        }
        let commits = ledger.commitCount
        #expect(commits >= 1)
        #expect(commits < count / 10, "10,000 appends took \(commits) fdatasyncs: they were not grouped")
        let inMemory = ledger.state()
        ledger.close()

        let (reopened, state) = try await openLedger(dir.stateDirectory)
        reopened.close()
        #expect(state == inMemory)
        #expect(state.jobs.count == jobs)
        for (name, job) in state.jobs {
            #expect(job.unresolved.count == count / jobs, "\(name)")
            #expect(job.watermark == Records.base + Int64(count / jobs - 1) * 60)
        }
    }

    @Test func anAppendIsVisibleInTheStateWhenItReturns() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (ledger, _) = try await openLedger(dir.stateDirectory)
        defer { ledger.close() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                group.addTask {
                    let record = Records.sent("j\(index)", Records.base, at: Double(index))
                    try await ledger.append(record)
                    #expect(ledger.state().jobs["j\(index)"]?.unresolved[Records.base]?.firstSentAt == Double(index))
                }
            }
            try await group.waitForAll()
        }
    }

    @Test func recordsOfOneAppendStayTogetherAndInOrder() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (ledger, _) = try await openLedger(dir.stateDirectory)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<50 {
                group.addTask {
                    let slot = Records.base + Int64(index) * 60
                    try await ledger.append([
                        Records.sent("j", slot, at: 1),
                        Records.outcome("j", slot, .started, at: 2, final: false, executionId: "e\(index)"),
                        Records.outcome("j", slot, .succeeded, at: 3),
                    ])
                }
            }
            try await group.waitForAll()
        }
        ledger.close()
        let lines = try String(contentsOfFile: dir.ledgerFile, encoding: .utf8).split(separator: "\n").dropFirst()
        let decoder = JSONDecoder()
        let records = try lines.map { try decoder.decode(LedgerRecord.self, from: Data($0.utf8)) }
        #expect(records.count == 150)
        for start in stride(from: 0, to: records.count, by: 3) {
            #expect(Set(records[start..<start + 3].map(\.slot)).count == 1)
            #expect(records[start..<start + 3].map(\.kind) == [.sent, .outcome, .outcome])
        }
        let state = try LedgerReader.read(directory: dir.stateDirectory)
        #expect(state.jobs["j"]?.running.isEmpty == true)
        #expect(state.jobs["j"]?.unresolved.isEmpty == true)
    }
}
