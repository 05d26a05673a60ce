import Foundation
import Logging
import Testing

@testable import Systemd

/// `--log-format json`: one JSON object per line with the journal's fields in lower case.
@Suite(.timeLimit(.minutes(1)))
struct JSONLogTests {
    static let timestamp = "2026-11-26T01:00:17.250Z"

    func object(_ line: String) throws -> [String: Any] {
        let parsed = try JSONSerialization.jsonObject(with: Data(line.utf8))
        return try #require(parsed as? [String: Any])
    }

    @Test func aRetryCarriesTheJournalsFieldsInLowerCase() throws {
        let metadata: Logger.Metadata = [
            "job_name": "accounts-nightly",
            "flow_name": "salesforce-accounts",
            "slot": "2026-11-26T01:00:00Z",
            "client_token": "appflowd-0123",
            "attempt": "2",
            "event": "retrying",
            "error_code": "ThrottlingException",
            "error": "ThrottlingException: Rate exceeded",
        ]
        let line = SystemdLogging.jsonLine(timestamp: Self.timestamp, level: .warning, message: "retrying", metadata: metadata)
        #expect(!line.contains("\n"))
        let json = try object(line)
        #expect(json["timestamp"] as? String == Self.timestamp)
        #expect(json["level"] as? String == "warning")
        #expect(json["priority"] as? Int == 4)
        #expect(json["syslog_identifier"] as? String == "appflowd")
        #expect(json["logger_label"] as? String == "appflowd")
        #expect(
            json["message"] as? String
                == "retrying accounts-nightly (salesforce-accounts) slot 2026-11-26T01:00:00Z attempt 2: ThrottlingException: Rate exceeded"
        )
        for (key, value) in metadata {
            #expect(json[key] as? String == value.description, "\(key)")
        }
    }

    /// The same names `journalctl -o json` shows, lower-cased, for every field but the
    /// journal's own trusted ones.
    @Test func keysAreTheJournalFieldNamesLowerCased() throws {
        let metadata: Logger.Metadata = ["execution_id": "e-1", "records.processed": "12", "Flow-Status": "Successful", "_x": "y"]
        let journal = SystemdLogging.journalFields(level: .notice, message: "succeeded", metadata: metadata, label: "appflowd", identifier: "appflowd")
        let json = try object(SystemdLogging.jsonLine(timestamp: Self.timestamp, level: .notice, message: "succeeded", metadata: metadata))
        #expect(Set(json.keys) == Set(journal.map { $0.0.lowercased() }).union(["timestamp", "level"]))
        #expect(json["records_processed"] as? String == "12")
        #expect(json["flow_status"] as? String == "Successful")
    }

    @Test func metadataCannotPoseAsAFixedKey() throws {
        let json = try object(SystemdLogging.jsonLine(timestamp: Self.timestamp, level: .info, message: "m", metadata: ["level": "critical", "timestamp": "x", "message": "fake"]))
        #expect(json["level"] as? String == "info")
        #expect(json["timestamp"] as? String == Self.timestamp)
        #expect(json["message"] as? String == "m")
        #expect(json["metadata_level"] as? String == "critical")
        #expect(json["metadata_timestamp"] as? String == "x")
        #expect(json["metadata_message"] as? String == "fake")
    }

    @Test(arguments: [
        ("plain", #""plain""#),
        ("say \"hi\"", #""say \"hi\"""#),
        ("a\\b", #""a\\b""#),
        ("line one\nline two\r\t", #""line one\nline two\r\t""#),
        ("bell\u{7}del\u{7F}", #""bell\u0007del\u007f""#),
        ("sep\u{2028}", #""sep\u2028""#),
        ("grüße ✓", "\"grüße ✓\""),
    ])
    func stringsAreEscaped(text: String, literal: String) throws {
        #expect(LogRecord.jsonString(text) == literal)
        let decoded = try JSONSerialization.jsonObject(with: Data(literal.utf8), options: .fragmentsAllowed) as? String
        #expect(decoded == text)
    }

    @Test func theFormatComesFromTheOptionThenTheEnvironment() throws {
        #expect(try LogFormat.resolve(option: nil, environment: [:]) == .text)
        #expect(try LogFormat.resolve(option: nil, environment: ["APPFLOWD_LOG_FORMAT": "json"]) == .json)
        #expect(try LogFormat.resolve(option: nil, environment: ["APPFLOWD_LOG_FORMAT": ""]) == .text)
        #expect(try LogFormat.resolve(option: "text", environment: ["APPFLOWD_LOG_FORMAT": "json"]) == .text)
        #expect(throws: LogFormat.UnknownFormat(source: "--log-format", value: "yaml")) {
            try LogFormat.resolve(option: "yaml", environment: [:])
        }
        #expect(throws: LogFormat.UnknownFormat(source: "APPFLOWD_LOG_FORMAT", value: "JSON")) {
            try LogFormat.resolve(option: nil, environment: ["APPFLOWD_LOG_FORMAT": "JSON"])
        }
    }

    @Test func theConsoleHandlerWritesJSONLinesWhenAsked() {
        let handler = SystemdLogging.makeHandler(label: "x", level: .info, format: .json, journal: false)
        #expect((handler as? ConsoleLogHandler)?.format == .json)
        let journal = SystemdLogging.makeHandler(label: "x", level: .info, format: .json, journal: true)
        #expect(journal is JournalLogHandler, "under journald the entries stay native")
    }
}
