import Logging
import Testing

@testable import Systemd

@Suite(.timeLimit(.minutes(5)))
struct LogRecordTests {
    struct Failure: Error, CustomStringConvertible {
        var description: String { "ServiceUnavailableException: try later" }
    }

    func event(metadata: Logger.Metadata?, error: (any Error)? = nil) -> LogEvent {
        LogEvent(
            level: .notice,
            message: "started",
            error: error,
            metadata: metadata,
            source: nil,
            file: "Daemon/Runner.swift",
            function: "start()",
            line: 7
        )
    }

    @Test func statementMetadataWinsOverProviderOverHandler() {
        let provider = Logger.MetadataProvider { ["flow_name": "from-provider", "slot": "s-provider"] }
        let record = LogRecord(
            event: event(metadata: ["slot": "s-statement"]),
            label: "appflowd",
            handlerMetadata: ["job_name": "j", "flow_name": "from-handler", "slot": "s-handler"],
            provider: provider
        )
        #expect(record.metadata == ["job_name": "j", "flow_name": "from-provider", "slot": "s-statement"])
        #expect(record.file == "Daemon/Runner.swift")
        #expect(record.function == "start()")
        #expect(record.line == 7)
        #expect(record.readableMessage == "started j (from-provider) slot s-statement")
    }

    @Test func attachedErrorFillsTheErrorKeyOnlyWhenUnset() {
        let attached = LogRecord(event: event(metadata: nil, error: Failure()), label: "l", handlerMetadata: [:], provider: nil)
        #expect(attached.metadata["error"] == "ServiceUnavailableException: try later")

        let explicit = LogRecord(
            event: event(metadata: ["error": "explicit"], error: Failure()),
            label: "l",
            handlerMetadata: [:],
            provider: nil
        )
        #expect(explicit.metadata["error"] == "explicit")
    }

    @Test func loggerThroughJournalHandlerKeepsHandlerMetadata() {
        // The handler is a value: metadata set on one logger must not leak into a copy.
        var first = Logger(label: "a") { JournalLogHandler(label: $0) }
        first[metadataKey: "job_name"] = "j1"
        var second = first
        second[metadataKey: "job_name"] = "j2"
        #expect(first[metadataKey: "job_name"] == "j1")
        #expect(second[metadataKey: "job_name"] == "j2")
        #expect(first.handler is JournalLogHandler)
    }
}
