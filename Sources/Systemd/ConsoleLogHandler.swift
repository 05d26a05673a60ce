import Logging

#if canImport(Glibc)
import Glibc
#endif

/// A swift-log backend for terminals, plain files and container logs: one line per event on
/// stderr, readable text by default,
/// `2026-11-26T01:00:17.250Z warning retrying job=accounts-nightly flow=salesforce-accounts
/// slot=2026-11-26T01:00:00Z token=... attempt=2 error=ThrottlingException: Rate exceeded`,
/// or with ``LogFormat/json`` one JSON object with the journal's fields in lower case.
///
/// Metadata is printed verbatim: callers must never put secrets (keys, session tokens,
/// credential file contents) in log metadata or messages.
package struct ConsoleLogHandler: LogHandler {
    package let label: String
    package var logLevel: Logger.Level = .info
    package var metadata: Logger.Metadata = [:]
    package var metadataProvider: Logger.MetadataProvider?
    package let format: LogFormat
    /// `syslog_identifier` in JSON lines, as `SYSLOG_IDENTIFIER=` in the journal.
    package let identifier: String
    /// Always stderr in the product; tests pass a file of their own.
    let descriptor: Int32

    package init(label: String, format: LogFormat = .text, identifier: String = "appflowd", metadataProvider: Logger.MetadataProvider? = nil) {
        self.init(label: label, format: format, identifier: identifier, metadataProvider: metadataProvider, descriptor: STDERR_FILENO)
    }

    init(label: String, format: LogFormat = .text, identifier: String = "appflowd", metadataProvider: Logger.MetadataProvider?, descriptor: Int32) {
        self.label = label
        self.format = format
        self.identifier = identifier
        self.metadataProvider = metadataProvider
        self.descriptor = descriptor
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        let record = LogRecord(
            event: event,
            label: label,
            handlerMetadata: metadata,
            provider: metadataProvider
        )
        let timestamp = UTCTimestamp.now()
        switch format {
        case .text:
            Self.writeLine(record.consoleLine(timestamp: timestamp), to: descriptor)
        case .json:
            Self.writeLine(record.jsonLine(timestamp: timestamp, identifier: identifier), to: descriptor)
        }
    }

    /// Writes `line` and a newline with as few `write(2)` calls as the kernel allows, so lines
    /// from concurrent tasks do not interleave (a single write to a pipe of up to `PIPE_BUF`
    /// bytes is atomic). A failing stderr has nowhere to be reported, so an error ends the write.
    static func writeLine(_ line: String, to descriptor: Int32 = STDERR_FILENO) {
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        bytes.withUnsafeBytes { buffer in
            guard let start = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, start + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}
