import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Chooses and configures the process's swift-log backend. Only the executable calls
/// ``bootstrap(level:environment:)``; libraries take a `Logger`.
package enum SystemdLogging {
    /// True when stderr is connected to the journal: `JOURNAL_STREAM`'s `device:inode` equals
    /// stderr's `st_dev:st_ino` from `fstat(2)`.
    ///
    /// systemd sets `JOURNAL_STREAM` for services whose output goes to the journal; comparing
    /// it with the actual descriptor keeps a child whose stderr was redirected (or a shell
    /// started from the service) from logging natively by mistake.
    package static func stderrIsJournal(environment: [String: String]) -> Bool {
        isJournalStream(descriptor: STDERR_FILENO, environment: environment)
    }

    /// Bootstraps swift-log with a ``JournalLogHandler`` when stderr is the journal, otherwise a
    /// ``ConsoleLogHandler`` writing `format`, every handler starting at `level`. Call once, at
    /// startup.
    package static func bootstrap(level: Logger.Level, format: LogFormat = .text, environment: [String: String]) {
        // Decided once: stderr does not change under a running daemon.
        let journal = stderrIsJournal(environment: environment)
        LoggingSystem.bootstrap { label in
            makeHandler(label: label, level: level, format: format, journal: journal)
        }
    }

    /// The handler ``bootstrap(level:format:environment:)`` installs; separate because swift-log
    /// can be bootstrapped only once per process, and tests share one process. The journal wins
    /// over `format`: it keeps the fields natively.
    static func makeHandler(label: String, level: Logger.Level, format: LogFormat = .text, journal: Bool) -> any LogHandler {
        if journal {
            var handler = JournalLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
        var handler = ConsoleLogHandler(label: label, format: format)
        handler.logLevel = level
        return handler
    }

    /// For tests: the journal fields (`name`, `value`) a log event becomes, without sending.
    package static func journalFields(
        level: Logger.Level,
        message: String,
        metadata: Logger.Metadata,
        label: String,
        identifier: String,
        file: String? = nil,
        function: String? = nil,
        line: UInt? = nil
    ) -> [(String, String)] {
        LogRecord(
            level: level,
            message: message,
            metadata: metadata,
            label: label,
            file: file,
            function: function,
            line: line
        ).journalFields(identifier: identifier)
    }

    /// For tests: the console line a log event becomes, with the timestamp given.
    package static func consoleLine(
        timestamp: String,
        level: Logger.Level,
        message: String,
        metadata: Logger.Metadata
    ) -> String {
        LogRecord(level: level, message: message, metadata: metadata, label: "").consoleLine(timestamp: timestamp)
    }

    /// For tests: the JSON line a log event becomes, with the timestamp given.
    package static func jsonLine(
        timestamp: String,
        level: Logger.Level,
        message: String,
        metadata: Logger.Metadata,
        label: String = "appflowd"
    ) -> String {
        LogRecord(level: level, message: message, metadata: metadata, label: label).jsonLine(timestamp: timestamp, identifier: "appflowd")
    }

    static func isJournalStream(descriptor: Int32, environment: [String: String]) -> Bool {
        guard let stream = environment["JOURNAL_STREAM"] else { return false }
        let parts = stream.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else {
            return false
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return false }
        return UInt64(status.st_dev) == device && UInt64(status.st_ino) == inode
    }
}
