import Logging
import Testing

@testable import Systemd

@Suite(.timeLimit(.minutes(5)))
struct JournalFieldsTests {
    @Test(arguments: [
        // The daemon's keys (SPEC section 5).
        ("job_name", "JOB_NAME"),
        ("flow_name", "FLOW_NAME"),
        ("slot", "SLOT"),
        ("client_token", "CLIENT_TOKEN"),
        ("execution_id", "EXECUTION_ID"),
        ("attempt", "ATTEMPT"),
        ("event", "EVENT"),
        ("error_code", "ERROR_CODE"),
        // Everything else.
        ("error.message", "ERROR_MESSAGE"),
        ("Mixed-Case key", "MIXED_CASE_KEY"),
        ("_private", "PRIVATE"),
        ("__9lives", "LIVES"),
        ("2fa", "FA"),
        ("a1_b2", "A1_B2"),
        ("straße", "STRA_E"),
        ("ıd", "D"),
        ("ß", "METADATA"),
        ("42", "METADATA"),
        ("", "METADATA"),
        ("message", "METADATA_MESSAGE"),
        ("priority", "METADATA_PRIORITY"),
        ("syslog_identifier", "METADATA_SYSLOG_IDENTIFIER"),
        ("code_line", "METADATA_CODE_LINE"),
        (String(repeating: "k", count: 70), String(repeating: "K", count: 64)),
    ])
    func metadataKeyMapping(key: String, field: String) {
        #expect(JournalFieldName.forMetadataKey(key) == field)
        #expect(Self.journaldAccepts(field))
    }

    /// journald's rule, written independently of the mapping: `[A-Z0-9_]`, 1-64 characters,
    /// first character neither a digit nor `_`.
    static func journaldAccepts(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...64).contains(bytes.count), let first = bytes.first else { return false }
        guard (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(first) else { return false }
        return bytes.allSatisfy {
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                || $0 == UInt8(ascii: "_")
        }
    }

    @Test(arguments: zip(Logger.Level.allCases, [7, 7, 6, 5, 4, 3, 2]))
    func priorityFollowsSyslog(level: Logger.Level, priority: Int) {
        let fields = SystemdLogging.journalFields(level: level, message: "m", metadata: [:], label: "l", identifier: "i")
        #expect(fields.first { $0.0 == "PRIORITY" }?.1 == String(priority))
    }

    @Test func retryEventBecomesReadableEntry() {
        let fields = SystemdLogging.journalFields(
            level: .warning,
            message: "retrying",
            metadata: [
                "job_name": "accounts-nightly",
                "flow_name": "salesforce-accounts",
                "slot": "2026-11-26T01:00:00Z",
                "client_token": "af-3b1f",
                "attempt": "2",
                "event": "retrying",
                "error_code": "ThrottlingException",
                "error": "ThrottlingException: Rate exceeded",
            ],
            label: "appflowd.scheduler",
            identifier: "appflowd",
            file: "Daemon/SlotRunner.swift",
            function: "retry(after:)",
            line: 42
        )
        let expected: [(String, String)] = [
            ("MESSAGE", "retrying accounts-nightly (salesforce-accounts) slot 2026-11-26T01:00:00Z attempt 2: ThrottlingException: Rate exceeded"),
            ("PRIORITY", "4"),
            ("SYSLOG_IDENTIFIER", "appflowd"),
            ("LOGGER_LABEL", "appflowd.scheduler"),
            ("CODE_FILE", "Daemon/SlotRunner.swift"),
            ("CODE_LINE", "42"),
            ("CODE_FUNC", "retry(after:)"),
            ("ATTEMPT", "2"),
            ("CLIENT_TOKEN", "af-3b1f"),
            ("ERROR", "ThrottlingException: Rate exceeded"),
            ("ERROR_CODE", "ThrottlingException"),
            ("EVENT", "retrying"),
            ("FLOW_NAME", "salesforce-accounts"),
            ("JOB_NAME", "accounts-nightly"),
            ("SLOT", "2026-11-26T01:00:00Z"),
        ]
        #expect(fields.map(\.0) == expected.map(\.0))
        #expect(fields.map(\.1) == expected.map(\.1))
    }

    @Test(arguments: [
        (["execution_id": "exec-1", "job_name": "j"], "started j execution exec-1"),
        (["flow_name": "f"], "started flow f"),
        (["error_code": "AccessDeniedException"], "started: AccessDeniedException"),
        (["error": "connection reset"], "started: connection reset"),
        (["error_code": "ValidationException", "error": "flow is suspended"], "started: ValidationException: flow is suspended"),
        ([:], "started"),
    ] as [(Logger.Metadata, String)])
    func messageNamesTheFacts(metadata: Logger.Metadata, message: String) {
        let fields = SystemdLogging.journalFields(level: .info, message: "started", metadata: metadata, label: "l", identifier: "i")
        #expect(fields.first?.0 == "MESSAGE")
        #expect(fields.first?.1 == message)
    }

    @Test func valuesKeepNewlinesAndNoLocationWithoutOne() {
        let fields = SystemdLogging.journalFields(
            level: .error,
            message: "job file rejected",
            metadata: ["diagnostics": "jobs.toml:3:1: error: a\njobs.toml:9:5: error: b"],
            label: "l",
            identifier: "appflowd-test"
        )
        #expect(fields.map(\.0) == ["MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER", "LOGGER_LABEL", "DIAGNOSTICS"])
        #expect(fields.last?.1 == "jobs.toml:3:1: error: a\njobs.toml:9:5: error: b")
        #expect(fields[2].1 == "appflowd-test")
    }

    @Test func nonStringMetadataIsRendered() {
        let fields = SystemdLogging.journalFields(
            level: .info,
            message: "m",
            metadata: ["attempt": .stringConvertible(3), "tags": ["a", "b"]],
            label: "l",
            identifier: "i"
        )
        #expect(fields.first { $0.0 == "ATTEMPT" }?.1 == "3")
        #expect(fields.first { $0.0 == "TAGS" }?.1 == Logger.MetadataValue.array(["a", "b"]).description)
        #expect(fields[0].1 == "m attempt 3")
    }
}
