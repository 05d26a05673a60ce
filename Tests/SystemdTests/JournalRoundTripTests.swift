import Foundation
import Logging
import Testing
import TestSupport

@testable import Systemd

/// Sends a real entry and reads it back with `journalctl`, where journald is running. On
/// machines without journald (containers, CI) `sd_journal_sendv` drops entries silently, so
/// there is nothing to read back and the test is skipped.
@Suite(.timeLimit(.minutes(5)))
struct JournalRoundTripTests {
    static let journaldRunning =
        FileManager.default.fileExists(atPath: "/run/systemd/journal/socket")
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/journalctl")

    @Test(.enabled(if: journaldRunning, "journald is not running here (/run/systemd/journal/socket missing)"))
    func sentEntryCanBeQueriedByField() async throws {
        let testID = "t\(UInt64.random(in: 0...UInt64.max))"
        let fields = SystemdLogging.journalFields(
            level: .warning,
            message: "retrying",
            metadata: ["job_name": "accounts-nightly", "appflowd_test_id": .string(testID), "note": "two\nlines"],
            label: "appflowd.test",
            identifier: "appflowd-test"
        )
        try JournalLogHandler.send(fields)

        let entry = try await Self.entry(testID: testID)
        #expect(entry["MESSAGE"] as? String == "retrying accounts-nightly")
        #expect(entry["PRIORITY"] as? String == "4")
        #expect(entry["SYSLOG_IDENTIFIER"] as? String == "appflowd-test")
        #expect(entry["JOB_NAME"] as? String == "accounts-nightly")
        #expect(entry["NOTE"] as? String == "two\nlines")
    }

    @Test(.enabled(if: journaldRunning, "journald is not running here (/run/systemd/journal/socket missing)"))
    func loggerEventArrivesWithCodeLocation() async throws {
        let testID = "t\(UInt64.random(in: 0...UInt64.max))"
        var logger = Logger(label: "appflowd.test") { JournalLogHandler(label: $0, identifier: "appflowd-test") }
        logger[metadataKey: "appflowd_test_id"] = .string(testID)
        logger.error("failed", metadata: ["flow_name": "f", "error_code": "ValidationException"])

        let entry = try await Self.entry(testID: testID)
        #expect(entry["MESSAGE"] as? String == "failed flow f: ValidationException")
        #expect(entry["PRIORITY"] as? String == "3")
        #expect(entry["FLOW_NAME"] as? String == "f")
        #expect(entry["ERROR_CODE"] as? String == "ValidationException")
        #expect((entry["CODE_FILE"] as? String)?.hasSuffix("JournalRoundTripTests.swift") == true)
        #expect(entry["CODE_FUNC"] as? String == "loggerEventArrivesWithCodeLocation()")
        #expect(entry["CODE_LINE"] != nil)
    }

    /// journald ingests asynchronously: ask again until the entry shows up, within a bound.
    /// This waits for a condition; nothing is timed.
    static func entry(testID: String) async throws -> [String: Any] {
        var output = ""
        try await eventually("journald to show \(testID)", pollingEvery: .milliseconds(100)) {
            output = try await ChildProcess.run("/usr/bin/journalctl", ["-o", "json", "--all", "APPFLOWD_TEST_ID=\(testID)"]).stdout
            return output.contains(testID)
        }
        let line = try #require(output.split(separator: "\n").first { $0.contains(testID) })
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }
}
