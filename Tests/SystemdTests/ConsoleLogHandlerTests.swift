import Logging
import Testing

@testable import Systemd

#if canImport(Glibc)
import Glibc
#endif

@Suite(.timeLimit(.minutes(5)))
struct ConsoleLogHandlerTests {
    /// Logs through a real `Logger` into a temporary file and returns what was written.
    func output(format: LogFormat = .text, _ body: (inout Logger) -> Void) throws -> String {
        var template = Array("/tmp/appflowd-console-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        unlink(String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self))

        var logger = Logger(label: "appflowd") { label in
            ConsoleLogHandler(label: label, format: format, metadataProvider: nil, descriptor: descriptor)
        }
        body(&logger)

        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var offset: off_t = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, offset) }
            try #require(count >= 0)
            if count == 0 { break }
            bytes += buffer[..<count]
            offset += off_t(count)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func oneLinePerEventAtOrAboveTheLevel() throws {
        let text = try output { logger in
            logger.logLevel = .info
            logger[metadataKey: "job_name"] = "accounts-nightly"
            logger.debug("scheduled")
            logger.warning("retrying", metadata: ["attempt": "2", "error": "ThrottlingException: Rate\nexceeded"])
            logger.info("started", metadata: ["execution_id": "e-1"])
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        try #require(lines.count == 3, "got \(text)")
        #expect(lines[2] == "")
        // Timestamps vary; everything after them is fixed.
        #expect(lines[0].hasSuffix("Z warning retrying job=accounts-nightly attempt=2 error=\"ThrottlingException: Rate\\nexceeded\""))
        #expect(lines[1].hasSuffix("Z info started job=accounts-nightly execution=e-1"))
        for line in lines.dropLast() {
            let timestamp = line.prefix { $0 != " " }
            #expect(timestamp.count == "2026-11-26T01:00:17.250Z".count)
        }
    }

    @Test func jsonFormatWritesOneObjectPerLine() throws {
        let text = try output(format: .json) { logger in
            logger[metadataKey: "job_name"] = "accounts-nightly"
            logger.warning("retrying", metadata: ["attempt": "2", "error": "ThrottlingException: Rate\nexceeded"])
            logger.notice("started", metadata: ["execution_id": "e-1"])
        }
        let lines = text.split(separator: "\n")
        try #require(lines.count == 2, "got \(text)")
        #expect(lines[0].hasPrefix(#"{"timestamp":""#))
        #expect(lines[0].contains(#","level":"warning","priority":4,"message":"retrying accounts-nightly attempt 2: ThrottlingException: Rate\nexceeded","syslog_identifier":"appflowd","logger_label":"appflowd","code_file":""#))
        #expect(lines[0].hasSuffix(#","attempt":"2","error":"ThrottlingException: Rate\nexceeded","job_name":"accounts-nightly"}"#))
        #expect(lines[1].contains(#""level":"notice","priority":5,"#) && lines[1].contains(#""execution_id":"e-1""#))
    }

    @Test func bootstrapHandlerFollowsTheJournalDecision() {
        let journal = SystemdLogging.makeHandler(label: "x", level: .debug, journal: true)
        #expect(journal is JournalLogHandler)
        #expect(journal.logLevel == .debug)
        #expect((journal as? JournalLogHandler)?.identifier == "appflowd")

        let console = SystemdLogging.makeHandler(label: "x", level: .error, journal: false)
        #expect(console is ConsoleLogHandler)
        #expect(console.logLevel == .error)
    }
}
