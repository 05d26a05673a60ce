import Foundation
import JobFile
import Ledger
import Scheduling

extension StatusReport {
    /// `appflowd status --json`: an array, one object per job, job-file order, then jobs only the
    /// ledger remembers (by name):
    ///
    ///     {"job", "flow", "enabled", "ended", "inJobFile", "pending", "running",
    ///      "last": SLOT | null, "next": {"nominal", "fire", "local", "fireLocal", "clientToken"} | null}
    ///
    /// SLOT is `{"slot", "fire", "clientToken", "outcome", "executionId", "flowStatus", "attempts",
    /// "recordsProcessed", "bytesProcessed", "bytesWritten", "errorCode", "message", "sentAt",
    /// "updatedAt"}`, absent values null. Times are RFC 3339 UTC; `outcome` is null while a sent
    /// slot has no answer yet. `ended` is true for a job with no slot left before its `end`.
    package func json() -> String {
        let items = rows.map { row in
            let fields: [(String, String)] = [
                ("job", ReportFormat.quote(row.job)),
                ("flow", ReportFormat.quote(row.flow)),
                ("enabled", row.enabled ? "true" : "false"),
                ("ended", row.ended ? "true" : "false"),
                ("inJobFile", row.inJobFile ? "true" : "false"),
                ("pending", "\(row.pending)"),
                ("running", "\(row.running)"),
                ("last", row.last.map { slotJSON($0, row) } ?? "null"),
                ("next", row.next.map { nextJSON($0, row) } ?? "null"),
            ]
            return "  " + Self.object(fields)
        }
        return items.isEmpty ? "[]\n" : "[\n" + items.joined(separator: ",\n") + "\n]\n"
    }

    /// `appflowd status --job NAME --history N --json`: `{"job", "flow", "slots": [SLOT, ...]}`,
    /// newest first. Nil when no row has that job name.
    package func historyJSON(job name: String, count: Int) -> String? {
        guard let row = rows.first(where: { $0.job == name }) else { return nil }
        let slots = row.slots.prefix(max(0, count)).map { slotJSON($0, row) }
        return Self.object([
            ("job", ReportFormat.quote(row.job)),
            ("flow", ReportFormat.quote(row.flow)),
            ("slots", "[" + slots.joined(separator: ", ") + "]"),
        ]) + "\n"
    }

    func slotJSON(_ summary: SlotSummary, _ row: Row) -> String {
        func string(_ value: String?) -> String { value.map(ReportFormat.quote) ?? "null" }
        func number(_ value: Int64?) -> String { value.map { "\($0)" } ?? "null" }
        func time(_ seconds: Double?) -> String {
            seconds.map { ReportFormat.quote(TimeText.utc(millis: Int64(($0 * 1000).rounded()), json: true, millis: true)) } ?? "null"
        }
        return Self.object([
            ("slot", ReportFormat.quote(TimeText.utc(millis: summary.slot * 1000, json: true))),
            ("fire", ReportFormat.quote(TimeText.utc(millis: fireMs(summary, row), json: true, millis: true))),
            ("clientToken", string(summary.token)),
            ("outcome", string(summary.outcome?.rawValue)),
            ("executionId", string(summary.executionId)),
            ("flowStatus", string(summary.flowStatus)),
            ("attempts", number(summary.attempts.map(Int64.init))),
            ("recordsProcessed", number(summary.recordsProcessed)),
            ("bytesProcessed", number(summary.bytesProcessed)),
            ("bytesWritten", number(summary.bytesWritten)),
            ("errorCode", string(summary.errorCode)),
            ("message", string(summary.message)),
            ("sentAt", time(summary.firstSentAt)),
            ("updatedAt", time(summary.updatedAt)),
        ])
    }

    func nextJSON(_ next: NextSlot, _ row: Row) -> String {
        Self.object([
            ("nominal", ReportFormat.quote(TimeText.utc(millis: next.slot * 1000, json: true))),
            ("fire", ReportFormat.quote(TimeText.utc(millis: next.fireMs, json: true, millis: true))),
            ("local", ReportFormat.quote(TimeText.localRFC3339(seconds: next.slot, zone: row.timeZone))),
            ("fireLocal", ReportFormat.quote(TimeText.localRFC3339(millis: next.fireMs, zone: row.timeZone))),
            ("clientToken", ReportFormat.quote(next.token)),
        ])
    }

    /// `{"key": value, ...}` from already-encoded values, keys in the order given.
    static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { "\(ReportFormat.quote($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
    }
}
