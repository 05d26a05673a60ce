import Logging
import Testing

@testable import Systemd

@Suite(.timeLimit(.minutes(5)))
struct ConsoleLineTests {
    static let timestamp = "2026-11-26T01:00:17.250Z"

    func line(_ level: Logger.Level = .info, _ message: String, _ metadata: Logger.Metadata) -> String {
        SystemdLogging.consoleLine(timestamp: Self.timestamp, level: level, message: message, metadata: metadata)
    }

    @Test func retryLineReadsLikeTheSpec() {
        let metadata: Logger.Metadata = [
            "job_name": "accounts-nightly",
            "flow_name": "salesforce-accounts",
            "slot": "2026-11-26T01:00:00Z",
            "client_token": "af-3b1f",
            "attempt": "2",
            "event": "retrying",
            "error_code": "ThrottlingException",
            "error": "ThrottlingException: Rate exceeded",
        ]
        #expect(
            line(.warning, "retrying", metadata)
                == "2026-11-26T01:00:17.250Z warning retrying job=accounts-nightly flow=salesforce-accounts"
                + " slot=2026-11-26T01:00:00Z token=af-3b1f attempt=2 error=\"ThrottlingException: Rate exceeded\""
        )
    }

    @Test func otherKeysSortedBetweenKnownKeysAndError() {
        #expect(
            line(.info, "started", ["zeta": "1", "job_name": "j", "alpha": "2", "event": "activated", "execution_id": "e-1"])
                == "\(Self.timestamp) info started job=j execution=e-1 alpha=2 event=activated zeta=1"
        )
    }

    @Test func valuesAreQuotedAndEscapedOntoOneLine() {
        let text = line(.error, "job file\nrejected", [
            "file": "/etc/appflowd/my jobs.toml",
            "empty": "",
            "quote": "say \"hi\"",
            "pair": "a=b",
            "error": "line one\nline two",
        ])
        #expect(
            text == #"\#(Self.timestamp) error job file\nrejected empty="" file="/etc/appflowd/my jobs.toml" pair="a=b" quote="say \"hi\"" error="line one\nline two""#
        )
        #expect(!text.contains("\n"))
    }

    @Test(arguments: [
        (["error_code": "ValidationException"], " error=ValidationException"),
        (["error_code": "ValidationException", "error": "flow suspended"], " error=\"ValidationException: flow suspended\""),
        (["error": "connection reset\u{7}"], " error=\"connection reset\\u{7}\""),
        ([:], ""),
    ] as [(Logger.Metadata, String)])
    func errorTail(metadata: Logger.Metadata, tail: String) {
        #expect(line(.error, "failed", metadata) == "\(Self.timestamp) error failed" + tail)
    }

    /// After the timestamp, level and message, the line is logfmt: a parser written here (as
    /// go-logfmt reads it) gets every value back whole, the error's too.
    @Test func theFieldsAreValidLogfmt() {
        let metadata: Logger.Metadata = [
            "job_name": "nightly", "file": "/etc/my jobs.toml", "quote": "say \"hi\"",
            "error_code": "InternalServerException", "error": "We encountered an internal error. Please try again.",
        ]
        let text = line(.warning, "retrying", metadata)
        let fields = Self.logfmt(String(text.dropFirst("\(Self.timestamp) warning retrying ".count)))
        #expect(fields == [
            "job": "nightly", "file": "/etc/my jobs.toml", "quote": "say \"hi\"",
            "error": "InternalServerException: We encountered an internal error. Please try again.",
        ], "\(text)")
    }

    /// key=value pairs separated by spaces; a value in double quotes with backslash escapes.
    static func logfmt(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        var rest = Substring(text)
        while !rest.isEmpty {
            rest = rest.drop { $0 == " " }
            let key = rest.prefix { $0 != "=" && $0 != " " }
            rest = rest.dropFirst(key.count)
            guard rest.first == "=" else { fields[String(key)] = ""; continue }
            rest = rest.dropFirst()
            var value = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                while let c = rest.first, c != "\"" {
                    rest = rest.dropFirst()
                    if c == "\\", let next = rest.first { value.append(next); rest = rest.dropFirst() } else { value.append(c) }
                }
                rest = rest.dropFirst()
            } else {
                value = String(rest.prefix { $0 != " " })
                rest = rest.dropFirst(value.count)
            }
            fields[String(key)] = value
        }
        return fields
    }

    @Test(arguments: [
        (0, 0, "1970-01-01T00:00:00.000Z"),
        (1_795_654_817, 250_000_000, "2026-11-26T01:00:17.250Z"),
        (951_782_400, 500_999_999, "2000-02-29T00:00:00.500Z"),
        (1_835_481_599, 999_999_999, "2028-02-29T23:59:59.999Z"),
        (1_835_395_199, 1_000_000, "2028-02-28T23:59:59.001Z"),
    ])
    func timestamps(seconds: Int, nanoseconds: Int, expected: String) {
        // Expected values computed independently with Python's datetime.
        #expect(UTCTimestamp.format(seconds: seconds, nanoseconds: nanoseconds) == expected)
    }
}
