import CSystemd
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// A swift-log backend that writes native journal entries through `sd_journal_sendv`, with
/// metadata as journal fields (`job_name` -> `JOB_NAME`), so `journalctl FLOW_NAME=x` works.
///
/// Use it only when stderr is the journal (``SystemdLogging/stderrIsJournal(environment:)``):
/// without journald, `sd_journal_sendv` drops entries and still returns 0. If a send does fail,
/// the event is written to stderr as a console line instead of being lost.
///
/// Metadata is written verbatim: callers must never put secrets (keys, session tokens,
/// credential file contents) in log metadata or messages.
package struct JournalLogHandler: LogHandler {
    package let label: String
    /// `SYSLOG_IDENTIFIER=`, what `journalctl -t` filters on.
    package let identifier: String
    package var logLevel: Logger.Level = .info
    package var metadata: Logger.Metadata = [:]
    package var metadataProvider: Logger.MetadataProvider?

    package init(label: String, identifier: String = "appflowd", metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.identifier = identifier
        self.metadataProvider = metadataProvider
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
        do {
            try Self.send(record.journalFields(identifier: identifier))
        } catch {
            ConsoleLogHandler.writeLine(
                record.consoleLine(timestamp: UTCTimestamp.now())
                    + " journal_error=" + LogRecord.quotedIfNeeded(String(describing: error))
            )
        }
    }

    /// Sends one entry. All `NAME=value` fields are laid out in one buffer and handed to
    /// `sd_journal_sendv` as an `iovec` each, with explicit lengths, so values may hold any bytes.
    static func send(_ fields: [(String, String)]) throws {
        guard !fields.isEmpty else { return }
        var buffer: [UInt8] = []
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(fields.count)
        for (name, value) in fields {
            let start = buffer.count
            buffer.append(contentsOf: name.utf8)
            buffer.append(UInt8(ascii: "="))
            buffer.append(contentsOf: value.utf8)
            ranges.append(start..<buffer.count)
        }
        let result: Int32 = buffer.withUnsafeMutableBytes { bytes in
            // Never empty: every field has at least its "=".
            guard let start = bytes.baseAddress else { return 0 }
            let vectors = ranges.map { range in
                iovec(iov_base: start + range.lowerBound, iov_len: range.count)
            }
            return vectors.withUnsafeBufferPointer { sd_journal_sendv($0.baseAddress, Int32($0.count)) }
        }
        if result < 0 {
            throw SystemdError(returnValue: result, function: "sd_journal_sendv")
        }
    }
}
