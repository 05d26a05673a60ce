import Testing

@testable import Systemd

#if canImport(Glibc)
import Glibc
#endif

@Suite(.timeLimit(.minutes(5)))
struct JournalStreamTests {
    /// Opens a fresh temporary file and returns its descriptor and `stat(2)` of its path,
    /// taken independently of the `fstat` the code under test uses.
    func withTemporaryFile(_ body: (Int32, stat) throws -> Void) throws {
        var template = Array("/tmp/appflowd-journal-stream-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        try #require(descriptor >= 0)
        let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer {
            close(descriptor)
            unlink(path)
        }
        var status = stat()
        try #require(stat(path, &status) == 0)
        try body(descriptor, status)
    }

    @Test func matchingDeviceAndInode() throws {
        try withTemporaryFile { descriptor, status in
            let environment = ["JOURNAL_STREAM": "\(status.st_dev):\(status.st_ino)"]
            #expect(SystemdLogging.isJournalStream(descriptor: descriptor, environment: environment))
        }
    }

    @Test func otherFileDoesNotMatch() throws {
        try withTemporaryFile { descriptor, status in
            for value in ["\(status.st_dev):\(status.st_ino + 1)", "\(status.st_dev + 1):\(status.st_ino)"] {
                #expect(!SystemdLogging.isJournalStream(descriptor: descriptor, environment: ["JOURNAL_STREAM": value]))
            }
        }
    }

    @Test(arguments: ["", ":", "1:", ":2", "a:b", "1:2:3", " 1:2", "-1:2"])
    func malformedValuesAreNotTheJournal(value: String) throws {
        try withTemporaryFile { descriptor, _ in
            #expect(!SystemdLogging.isJournalStream(descriptor: descriptor, environment: ["JOURNAL_STREAM": value]))
        }
    }

    @Test func unsetIsNotTheJournal() throws {
        try withTemporaryFile { descriptor, _ in
            #expect(!SystemdLogging.isJournalStream(descriptor: descriptor, environment: [:]))
        }
    }

    @Test func closedDescriptorIsNotTheJournal() {
        #expect(!SystemdLogging.isJournalStream(descriptor: -1, environment: ["JOURNAL_STREAM": "1:2"]))
    }

    /// The package entry point looks at the real stderr: `/proc/self/fd/2` resolves to the same
    /// file (or pipe) as descriptor 2, so its `stat` is an independent reference.
    @Test func stderrAgainstProcSelf() throws {
        var status = stat()
        try #require(stat("/proc/self/fd/2", &status) == 0)
        #expect(SystemdLogging.stderrIsJournal(environment: ["JOURNAL_STREAM": "\(status.st_dev):\(status.st_ino)"]))
        #expect(!SystemdLogging.stderrIsJournal(environment: ["JOURNAL_STREAM": "\(status.st_dev):\(status.st_ino &+ 1)"]))
        #expect(!SystemdLogging.stderrIsJournal(environment: [:]))
    }
}
