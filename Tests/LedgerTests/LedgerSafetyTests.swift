import Foundation
import Testing
import TestSupport
@testable import Ledger

#if canImport(Glibc)
import Glibc
#endif

/// Issue 18, item 3: the state directory and the ledger's files are the daemon's own. A link, a
/// FIFO, a directory someone else can write to, or a file with nothing readable in it is refused
/// with its path: never followed, waited on, or emptied.
@Suite(.timeLimit(.minutes(1))) struct LedgerSafetyTests {
    let t: Int64 = Records.base

    private func makeState(_ dir: TemporaryDirectory) throws {
        try FileManager.default.createDirectory(atPath: dir.stateDirectory, withIntermediateDirectories: true)
        #expect(chmod(dir.stateDirectory, 0o700) == 0)
    }

    @Test(arguments: [LedgerFormat.fileName, LedgerFormat.lockFileName])
    func aSymbolicLinkInPlaceOfAFileIsNotFollowed(_ name: String) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try makeState(dir)
        let target = dir.path + "/elsewhere"
        try Data("precious\n".utf8).write(to: URL(fileURLWithPath: target))
        try FileManager.default.createSymbolicLink(atPath: dir.stateDirectory + "/" + name, withDestinationPath: target)
        let error = #expect(throws: LedgerError.self) { try Ledger.open(directory: dir.stateDirectory) }
        #expect(error?.code == .unsafe)
        #expect(error?.description.contains(dir.stateDirectory + "/" + name) == true)
        #expect(error?.message.contains("symbolic link") == true)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "precious\n", "the link's target is untouched")
        if name == LedgerFormat.fileName {
            let read = #expect(throws: LedgerError.self) { try LedgerReader.read(directory: dir.stateDirectory) }
            #expect(read?.code == .unsafe)
        }
    }

    @Test func aFIFOIsRefusedWithoutWaitingByTheDaemonAndByStatus() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try makeState(dir)
        #expect(mkfifo(dir.ledgerFile, 0o600) == 0)
        // Opening a FIFO for reading waits for a writer: these would hang without O_NONBLOCK.
        let read = #expect(throws: LedgerError.self) { try LedgerReader.read(directory: dir.stateDirectory) }
        #expect(read?.code == .unsafe)
        #expect(read?.message.contains("FIFO") == true)
        let opened = #expect(throws: LedgerError.self) { try Ledger.open(directory: dir.stateDirectory) }
        #expect(opened?.code == .unsafe)
    }

    @Test func aDirectoryInPlaceOfTheLedgerIsRefused() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try makeState(dir)
        try FileManager.default.createDirectory(atPath: dir.ledgerFile, withIntermediateDirectories: false)
        let read = #expect(throws: LedgerError.self) { try LedgerReader.read(directory: dir.stateDirectory) }
        #expect(read?.code == .unsafe || read?.errno == EISDIR)
    }

    @Test(arguments: [0o770 as mode_t, 0o707, 0o777, 0o1777])
    func aDirectoryOthersCanWriteToIsRefused(_ mode: mode_t) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try makeState(dir)
        #expect(chmod(dir.stateDirectory, mode) == 0)
        let error = #expect(throws: LedgerError.self) { try Ledger.open(directory: dir.stateDirectory) }
        #expect(error?.code == .unsafe)
        #expect(error?.description.hasPrefix(dir.stateDirectory + ": ") == true)
        #expect(error?.message.contains("mode \(String(mode, radix: 8))") == true)
        #expect(!FileManager.default.fileExists(atPath: dir.ledgerFile), "nothing is created in it")
        #expect(chmod(dir.stateDirectory, 0o750) == 0)
        let (ledger, _) = try Ledger.open(directory: dir.stateDirectory)
        ledger.close()
    }

    @Test(.enabled(if: geteuid() == 0, "needs root to give the directory away"))
    func aDirectoryOwnedByAnotherUserIsRefused() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try makeState(dir)
        #expect(chown(dir.stateDirectory, 4242, 4242) == 0)
        let error = #expect(throws: LedgerError.self) { try Ledger.open(directory: dir.stateDirectory) }
        #expect(error?.code == .unsafe)
        #expect(error?.message.contains("owned by uid 4242") == true)
    }

    @Test func aStateDirectoryThatIsASymbolicLinkToAPrivateDirectoryIsFine() throws {
        // systemd's DynamicUser= makes /var/lib/NAME a link to /var/lib/private/NAME.
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try makeState(dir)
        let link = dir.path + "/link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: dir.stateDirectory)
        let (ledger, _) = try Ledger.open(directory: link)
        ledger.close()
    }

    @Test(arguments: [
        "not a ledger\n",
        "garbage\nmore garbage\n",
        "\u{0}\u{0}\n",
        #"{"v":1,"kind":"nonsense"}"# + "\n",
        "plain text without a newline",
    ])
    func aFileWithNoReadableLineIsRefusedAndKept(_ content: String) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try makeState(dir)
        try Data(content.utf8).write(to: URL(fileURLWithPath: dir.ledgerFile))
        let error = #expect(throws: LedgerError.self) { try Ledger.open(directory: dir.stateDirectory) }
        #expect(error?.code == .corrupt)
        #expect(error?.description.hasPrefix(dir.ledgerFile) == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.ledgerFile)) == Data(content.utf8), "never truncated")
        let read = #expect(throws: LedgerError.self) { try LedgerReader.read(directory: dir.stateDirectory) }
        #expect(read?.code == .corrupt)
    }

    @Test func aTornHeaderOfZerosIsStartedAfresh() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try makeState(dir)
        try Data(repeating: 0, count: 4096).write(to: URL(fileURLWithPath: dir.ledgerFile))
        let (ledger, state) = try Ledger.open(directory: dir.stateDirectory)
        ledger.close()
        #expect(state == LedgerState())
    }

    @Test func aLinkPlantedAsTheSnapshotsTemporaryFileIsNotWrittenThrough() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (ledger, _) = try Ledger.open(directory: dir.stateDirectory)
        try await ledger.append(Records.sent("j", t, at: 1))
        let target = dir.path + "/elsewhere"
        try Data("precious\n".utf8).write(to: URL(fileURLWithPath: target))
        try FileManager.default.createSymbolicLink(
            atPath: dir.stateDirectory + "/" + LedgerFormat.temporaryFileName, withDestinationPath: target)
        try ledger.compact()
        ledger.close()
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "precious\n")
        #expect(try LedgerReader.read(directory: dir.stateDirectory).jobs["j"]?.watermark == t)
        let attributes = try FileManager.default.attributesOfItem(atPath: dir.ledgerFile)
        #expect(attributes[.type] as? FileAttributeType == .typeRegular)
    }
}
