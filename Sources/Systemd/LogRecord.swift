import Logging

/// One log event with its metadata merged, as both handlers render it.
///
/// Metadata is merged like swift-log's own handlers do: the handler's metadata, then the
/// metadata provider's, then the log statement's, later keys winning. An `Error` attached to
/// the event becomes the `error` key unless the statement already set one.
struct LogRecord {
    var level: Logger.Level
    var message: String
    var metadata: Logger.Metadata
    var label: String
    var file: String?
    var function: String?
    var line: UInt?

    /// Metadata keys the daemon uses whose values make up the readable message.
    enum Key {
        static let jobName = "job_name"
        static let flowName = "flow_name"
        static let slot = "slot"
        static let clientToken = "client_token"
        static let executionID = "execution_id"
        static let attempt = "attempt"
        static let event = "event"
        static let errorCode = "error_code"
        /// Free text describing a failure, e.g. `"ThrottlingException: Rate exceeded"`.
        static let error = "error"
    }

    init(
        level: Logger.Level,
        message: String,
        metadata: Logger.Metadata,
        label: String,
        file: String? = nil,
        function: String? = nil,
        line: UInt? = nil
    ) {
        self.level = level
        self.message = message
        self.metadata = metadata
        self.label = label
        self.file = file
        self.function = function
        self.line = line
    }

    init(
        event: LogEvent,
        label: String,
        handlerMetadata: Logger.Metadata,
        provider: Logger.MetadataProvider?
    ) {
        var merged = handlerMetadata
        if let provided = provider?.get(), !provided.isEmpty {
            merged.merge(provided) { _, new in new }
        }
        if let explicit = event.metadata, !explicit.isEmpty {
            merged.merge(explicit) { _, new in new }
        }
        if let error = event.error, merged[Key.error] == nil {
            merged[Key.error] = .string(String(describing: error))
        }
        self.init(
            level: event.level,
            message: event.message.description,
            metadata: merged,
            label: label,
            file: event.file,
            function: event.function,
            line: event.line
        )
    }

    func value(_ key: String) -> String? {
        metadata[key].map { $0.description }
    }

    /// `error_code` and `error` as one text, without repeating the code when the text already
    /// starts with it ("ThrottlingException: Rate exceeded").
    var errorSummary: String? {
        switch (value(Key.errorCode), value(Key.error)) {
        case (nil, nil):
            return nil
        case (let code?, nil):
            return code
        case (nil, let text?):
            return text
        case (let code?, let text?):
            return text.hasPrefix(code) ? text : code + ": " + text
        }
    }

    /// The constant message followed by the facts an operator reads first, e.g.
    /// `retrying accounts-nightly (salesforce-accounts) slot 2026-11-26T01:00:00Z attempt 2: ThrottlingException: Rate exceeded`.
    var readableMessage: String {
        var text = message
        switch (value(Key.jobName), value(Key.flowName)) {
        case (let job?, let flow?):
            text += " \(job) (\(flow))"
        case (let job?, nil):
            text += " \(job)"
        case (nil, let flow?):
            text += " flow \(flow)"
        case (nil, nil):
            break
        }
        if let slot = value(Key.slot) {
            text += " slot \(slot)"
        }
        if let execution = value(Key.executionID) {
            text += " execution \(execution)"
        }
        if let attempt = value(Key.attempt) {
            text += " attempt \(attempt)"
        }
        if let error = errorSummary {
            text += ": \(error)"
        }
        return text
    }
}
