import Logging

extension LogRecord {
    /// The journal entry's fields, in order: `MESSAGE`, `PRIORITY`, `SYSLOG_IDENTIFIER`,
    /// `LOGGER_LABEL`, `CODE_FILE`/`CODE_LINE`/`CODE_FUNC` when known, then one field per
    /// metadata key, sorted by key so entries are reproducible.
    ///
    /// Values go out as they are, newlines included: `sd_journal_sendv` is given each field's
    /// length, so it needs no escaping.
    func journalFields(identifier: String) -> [(String, String)] {
        var fields: [(String, String)] = [
            ("MESSAGE", readableMessage),
            ("PRIORITY", String(level.syslogPriority)),
            ("SYSLOG_IDENTIFIER", identifier),
            ("LOGGER_LABEL", label),
        ]
        if let file {
            fields.append(("CODE_FILE", file))
        }
        if let line {
            fields.append(("CODE_LINE", String(line)))
        }
        if let function {
            fields.append(("CODE_FUNC", function))
        }
        for key in metadata.keys.sorted() {
            guard let value = metadata[key] else { continue }
            fields.append((JournalFieldName.forMetadataKey(key), value.description))
        }
        return fields
    }
}
