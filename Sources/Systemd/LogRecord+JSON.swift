extension LogRecord {
    /// Keys every JSON line carries; a metadata key that maps onto one of them is prefixed with
    /// `metadata_`, as the journal prefixes its reserved fields with `METADATA_`.
    static let jsonReservedKeys: Set<String> = [
        "timestamp", "level", "priority", "message", "syslog_identifier", "logger_label",
        "code_file", "code_line", "code_func",
    ]

    /// One JSON object, without the trailing newline, with the journal's fields in lower case:
    /// `{"timestamp":"2026-11-26T01:00:17.250Z","level":"warning","priority":4,
    /// "message":"retrying accounts-nightly (salesforce-accounts) ...","syslog_identifier":"appflowd",
    /// "logger_label":"appflowd",...,"attempt":"2","client_token":"appflowd-...","event":"retrying",...}`.
    ///
    /// Metadata keys become the journal's field names lower-cased (`job_name`, `flow_name`,
    /// `slot`, `client_token`, `execution_id`, `event`, `error_code`, ...), sorted, values as
    /// strings as the journal stores them; `priority` is the syslog number, `message` the same
    /// readable text as the journal's `MESSAGE`.
    func jsonLine(timestamp: String, identifier: String) -> String {
        var line = "{"
        var first = true
        func add(_ key: String, _ rendered: String) {
            if !first { line += "," }
            first = false
            line += Self.jsonString(key) + ":" + rendered
        }
        add("timestamp", Self.jsonString(timestamp))
        add("level", Self.jsonString(level.rawValue))
        add("priority", String(level.syslogPriority))
        add("message", Self.jsonString(readableMessage))
        add("syslog_identifier", Self.jsonString(identifier))
        add("logger_label", Self.jsonString(label))
        if let file { add("code_file", Self.jsonString(file)) }
        if let line = self.line { add("code_line", Self.jsonString(String(line))) }
        if let function { add("code_func", Self.jsonString(function)) }
        var fields: [(String, String)] = []
        for (key, value) in metadata {
            var name = JournalFieldName.forMetadataKey(key).lowercased()
            if Self.jsonReservedKeys.contains(name) { name = "metadata_" + name }
            fields.append((name, value.description))
        }
        // Sorted by name, then value, so two keys that map to one name still give one stable line.
        for (name, value) in fields.sorted(by: { ($0.0, $0.1) < ($1.0, $1.1) }) {
            add(name, Self.jsonString(value))
        }
        return line + "}"
    }

    /// A JSON string literal (RFC 8259): quotes, backslashes and control characters escaped,
    /// U+2028 and U+2029 too so that the line is also valid JavaScript; everything else as is.
    static func jsonString(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || scalar == "\u{2028}" || scalar == "\u{2029}":
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
