import Foundation
import Testing
import TestSupport
@testable import Ledger

@Suite(.timeLimit(.minutes(5))) struct LedgerFileTests {
    let t: Int64 = Records.base

    /// Opens a new ledger, appends, closes, and returns the state it reached.
    private func write(_ records: [LedgerRecord], in dir: TemporaryDirectory) async throws -> LedgerState {
        let (ledger, _) = try await openLedger(dir.stateDirectory)
        for record in records { try await ledger.append(record) }
        let state = ledger.state()
        ledger.close()
        return state
    }

    @Test func recordsAreOneJSONObjectPerLineInADocumentedShape() throws {
        let record = LedgerRecord.sent(job: "j", flow: "f/x", slot: 1_764_000_000, token: "appflowd-00", at: 1_764_000_001.25)
        let line = String(decoding: try LedgerFormat.encode([record]), as: UTF8.self)
        #expect(line == #"{"at":1764000001.25,"flow":"f/x","job":"j","kind":"sent","slot":1764000000,"token":"appflowd-00","v":1}"# + "\n")
        // Key order does not matter on reading, and unknown keys are ignored.
        let written = #"{"v":1,"kind":"outcome","job":"j","flow":"f","slot":5,"token":"x","at":2.5,"outcome":"outcome-unknown","final":true,"future":[1]}"#
        let decoded = try JSONDecoder().decode(LedgerRecord.self, from: Data(written.utf8))
        #expect(decoded == LedgerRecord(kind: .outcome, job: "j", flow: "f", slot: 5, token: "x", at: 2.5, outcome: .outcomeUnknown, final: true))
    }

    @Test func reopeningReplaysExactlyWhatWasAppended() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var generator = SeededGenerator(seed: 42)
        let records = Records.random(count: 300, using: &generator)
        let written = try await write(records, in: dir)
        #expect(written == LedgerState.replaying(records))
        let (ledger, reopened) = try await openLedger(dir.stateDirectory)
        defer { ledger.close() }
        #expect(reopened == written)
        #expect(try LedgerReader.read(directory: dir.stateDirectory) == written)
    }

    @Test func createsTheDirectory0700AndFiles0600() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let nested = dir.stateDirectory + "/deeper"
        let (ledger, state) = try await openLedger(nested)
        defer { ledger.close() }
        #expect(state == LedgerState())
        #expect(try permissions(nested) == 0o700)
        #expect(try permissions(nested + "/ledger.jsonl") == 0o600)
        #expect(try permissions(nested + "/ledger.lock") == 0o600)
        try ledger.compact()
        #expect(try permissions(nested + "/ledger.jsonl") == 0o600, "the snapshot that replaced it too")
    }

    @Test func aSecondOpenOfTheSameDirectoryIsRefused() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (first, _) = try Ledger.open(directory: dir.stateDirectory)
        let error = #expect(throws: LedgerError.self) { try Ledger.open(directory: dir.stateDirectory) }
        #expect(error?.code == .locked)
        #expect(error?.description.contains(dir.stateDirectory) == true)
        first.close()
        let (second, _) = try await openLedger(dir.stateDirectory)
        second.close()
    }

    @Test func appendsAfterCloseAreRefused() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (ledger, _) = try await openLedger(dir.stateDirectory)
        ledger.close()
        await #expect(throws: LedgerError.self) { try await ledger.append(Records.sent("j", t, at: 1)) }
    }

    /// What a crash can leave after the last acknowledged record.
    enum TornTail: String, CaseIterable, Sendable {
        case lineCutShort, zeroBlock, unreadableLinesAtTheEnd

        var bytes: [UInt8] {
            switch self {
            case .lineCutShort: Array(#"{"v":1,"kind":"sent","job":"j","fl"#.utf8)
            case .zeroBlock: [UInt8](repeating: 0, count: 700)
            case .unreadableLinesAtTheEnd: Array(#"{"v":1,"kind":"sent"}"#.utf8) + [10, 0, 0, 10]
            }
        }
    }

    @Test(arguments: TornTail.allCases)
    func aTornEndIsIgnoredThenCutOff(torn: TornTail) async throws {
        let tail = torn.bytes
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let before = try await write([Records.sent("j", t, at: 1), Records.outcome("j", t, .started, at: 2)], in: dir)
        let goodSize = try fileSize(dir.ledgerFile)
        try appendBytes(tail, to: dir.ledgerFile)

        #expect(try LedgerReader.read(directory: dir.stateDirectory) == before)
        #expect(try fileSize(dir.ledgerFile) == goodSize + tail.count, "the reader never writes")

        let (ledger, reopened) = try await openLedger(dir.stateDirectory)
        #expect(reopened == before)
        #expect(try fileSize(dir.ledgerFile) == goodSize)
        try await ledger.append(Records.sent("j", t + 60, at: 3))
        ledger.close()
        let (again, state) = try await openLedger(dir.stateDirectory)
        again.close()
        #expect(state.jobs["j"]?.watermark == t + 60)
        #expect(state.jobs["j"]?.running[t] != nil)
    }

    @Test func damageBeforeTheEndIsAnErrorNamingTheLine() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try await write([Records.sent("j", t, at: 1)], in: dir)
        let good = try LedgerFormat.encode([Records.sent("j", t + 60, at: 2)])
        try appendBytes(Array("not json\n".utf8) + Array(good), to: dir.ledgerFile)
        let size = try fileSize(dir.ledgerFile)
        // Line 1 is the header, 2 the first record, 3 the damage.
        let opened = await #expect(throws: LedgerError.self) { try await openLedger(dir.stateDirectory) }
        #expect(opened?.code == .corrupt)
        #expect(opened?.line == 3)
        #expect(opened?.description.hasPrefix(dir.ledgerFile + ":3: ") == true)
        let read = #expect(throws: LedgerError.self) { try LedgerReader.read(directory: dir.stateDirectory) }
        #expect(read?.line == 3)
        #expect(try fileSize(dir.ledgerFile) == size, "nothing is cut off a damaged ledger")
        // The lock was released despite the failure.
        try FileManager.default.removeItem(atPath: dir.ledgerFile)
        let (ledger, _) = try await openLedger(dir.stateDirectory)
        ledger.close()
    }

    @Test func aNewerFormatVersionIsRefused() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try await write([], in: dir)
        try appendBytes(Array(#"{"v":2,"kind":"sent","job":"j"}"#.utf8) + [10], to: dir.ledgerFile)
        let error = await #expect(throws: LedgerError.self) { try await openLedger(dir.stateDirectory) }
        #expect(error?.code == .unsupportedVersion)
        #expect(error?.line == 2)
    }

    @Test func recordsWithoutAHeaderAreRefused() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try FileManager.default.createDirectory(atPath: dir.stateDirectory, withIntermediateDirectories: true)
        let lines = try LedgerFormat.encode([Records.sent("j", t, at: 1), Records.sent("j", t + 60, at: 2)])
        try lines.write(to: URL(fileURLWithPath: dir.ledgerFile))
        let error = await #expect(throws: LedgerError.self) { try await openLedger(dir.stateDirectory) }
        #expect(error?.code == .corrupt)
        #expect(error?.line == 1)
    }

    @Test func anEmptyFileLeftByACrashDuringCreationIsStartedAfresh() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try FileManager.default.createDirectory(atPath: dir.stateDirectory, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: dir.ledgerFile, contents: Data(#"{"v":1,"kind":"hea"#.utf8))
        let (ledger, state) = try await openLedger(dir.stateDirectory)
        #expect(state == LedgerState())
        try await ledger.append(Records.sent("j", t, at: 1))
        ledger.close()
        #expect(try LedgerReader.read(directory: dir.stateDirectory).jobs["j"]?.watermark == t)
    }

    @Test func theReaderTellsAMissingDirectoryFromAnEmptyOne() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let error = #expect(throws: LedgerError.self) { try LedgerReader.read(directory: dir.stateDirectory) }
        #expect(error?.code == .notFound)
        #expect(try LedgerReader.read(directory: dir.path) == LedgerState())
    }
}
