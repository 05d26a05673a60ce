import Logging
import Primitives

extension LogRecord {
    /// Short names for the daemon's keys on a terminal, in the order they are printed.
    static let consoleKeys: [(key: String, name: String)] = [
        (Key.jobName, "job"),
        (Key.flowName, "flow"),
        (Key.slot, "slot"),
        (Key.clientToken, "token"),
        (Key.executionID, "execution"),
        (Key.attempt, "attempt"),
    ]

    /// One line, without the trailing newline:
    /// `2026-11-26T01:00:17.250Z warning retrying job=a flow=b slot=... attempt=2 error="ThrottlingException: Rate exceeded"`.
    ///
    /// The daemon's keys come first under short names, then any other key sorted, then the
    /// error last. `event` is left out when it repeats the message. Values with spaces, quotes
    /// or `=` are quoted, the error's too, so logfmt parsers read every pair whole; newlines and
    /// other control characters are escaped everywhere, so an event is always one line.
    func consoleLine(timestamp: String) -> String {
        var line = timestamp + " " + level.rawValue + " " + Self.escaped(message)
        var remaining = metadata
        for (key, name) in Self.consoleKeys {
            guard let value = remaining.removeValue(forKey: key) else { continue }
            line += " " + name + "=" + Self.quotedIfNeeded(value.description)
        }
        remaining.removeValue(forKey: Key.errorCode)
        remaining.removeValue(forKey: Key.error)
        if let event = remaining[Key.event], event.description == message {
            remaining.removeValue(forKey: Key.event)
        }
        for key in remaining.keys.sorted() {
            guard let value = remaining[key] else { continue }
            line += " " + Self.escaped(key) + "=" + Self.quotedIfNeeded(value.description)
        }
        if let error = errorSummary {
            line += " error=" + Self.quotedIfNeeded(error)
        }
        return line
    }

    static func quotedIfNeeded(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.unicodeScalars.contains { scalar in
            scalar == " " || scalar == "\"" || scalar == "=" || scalar.properties.isWhitespace
        }
        guard needsQuotes else { return escaped(value) }
        return "\"" + escaped(value.replacingQuotes()) + "\""
    }

    /// Control characters escaped (`TerminalText`).
    static func escaped(_ text: String) -> String {
        TerminalText.escaped(text)
    }
}

extension String {
    fileprivate func replacingQuotes() -> String {
        var result = ""
        for character in self {
            if character == "\"" || character == "\\" {
                result.append("\\")
            }
            result.append(character)
        }
        return result
    }
}
