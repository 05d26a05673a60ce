import Foundation
import JobFile
import Scheduling

/// What `appflowd next` prints: each job's next slots, as a `systemctl list-timers`-like table or
/// as the stable JSON of SPEC section 1.
package struct NextReport: Sendable {
    package struct Row: Sendable {
        package var job: Job
        /// Nominal slots (Unix seconds), at most `count`; empty for a disabled or finished job.
        package var slots: [Int64]

        /// An enabled job whose `end` leaves it no slot after the report's instant.
        package var ended: Bool { job.enabled && slots.isEmpty && job.bounds.end != nil }
    }

    package var rows: [Row]
    /// The instant "time left" is measured from (Unix seconds).
    package var from: Int64

    /// The next `count` slots strictly after `from` of every job, in job-file order.
    package init(jobFile: JobFile, from: Int64, count: Int) {
        self.from = from
        rows = jobFile.jobs.map { job in
            var slots: [Int64] = []
            if job.enabled {
                var after = from
                while slots.count < count, let next = job.schedule.nextSlot(after: after) {
                    slots.append(next)
                    after = next
                }
            }
            return Row(job: job, slots: slots)
        }
    }

    // MARK: - Table

    static let columns = [
        TableColumn("JOB", shortenTo: 8), TableColumn("FLOW", shortenTo: 8), TableColumn("NEXT"),
        TableColumn("UTC", wideOnly: true), TableColumn("LEFT"), TableColumn("TOKEN", shortenTo: 14, first: true),
    ]

    /// Columns JOB, FLOW, NEXT (local fire time with the zone's abbreviation), UTC, LEFT, TOKEN;
    /// rows sorted by fire time, disabled, ended (past `end`) and finished jobs last. On a terminal (`layout.width`)
    /// UTC is left out and long names and tokens are shortened.
    package func table(layout: TableLayout = .full) -> String {
        var lines: [(sortKey: Int64, cells: [String])] = []
        for row in rows {
            if row.slots.isEmpty {
                let state = row.ended ? "ended" : row.job.enabled ? "n/a (no further slot)" : "disabled"
                lines.append((Int64.max, [row.job.name, row.job.flow, state, "-", "-", "-"]))
            }
            for slot in row.slots {
                let fire = row.job.fireTime(slot: slot)
                let left = Duration.milliseconds(fire - from * 1000)
                lines.append((fire, [
                    row.job.name, row.job.flow, ReportFormat.localText(millis: fire, zone: row.job.timeZone),
                    TimeText.utc(millis: fire), DurationFormatter.format(left, maxUnits: 2) + " left",
                    row.job.clientToken(slot: slot),
                ]))
            }
        }
        let sorted = lines.enumerated().sorted { ($0.element.sortKey, $0.offset) < ($1.element.sortKey, $1.offset) }.map(\.element.cells)
        var out = ReportFormat.table(Self.columns, sorted, layout: layout)
        let jobs = rows.count
        if layout.legend { out += "\n\(jobs) job\(jobs == 1 ? "" : "s") listed.\n" }
        return out
    }

    // MARK: - JSON

    /// `[{"job": ..., "flow": ..., "next": [{"nominal", "fire", "local", "fireLocal", "clientToken"}]}]`
    /// in job-file order; a disabled job has `"enabled": false` and an empty `next`, a job past its
    /// `end` `"ended": true` and an empty `next`. `local` is
    /// the slot in the job's zone, `fireLocal` the fire time (the table's NEXT) in that zone.
    package func json() -> String {
        var items: [String] = []
        for row in rows {
            let next = row.slots.map { slot in
                let fields = [
                    ("nominal", TimeText.utc(millis: slot * 1000, json: true, millis: false)),
                    ("fire", TimeText.utc(millis: row.job.fireTime(slot: slot), json: true, millis: true)),
                    ("local", TimeText.localRFC3339(seconds: slot, zone: row.job.timeZone)),
                    ("fireLocal", TimeText.localRFC3339(millis: row.job.fireTime(slot: slot), zone: row.job.timeZone)),
                    ("clientToken", row.job.clientToken(slot: slot)),
                ]
                return "{" + fields.map { "\(ReportFormat.quote($0.0)): \(ReportFormat.quote($0.1))" }.joined(separator: ", ") + "}"
            }
            var fields = ["\"job\": \(ReportFormat.quote(row.job.name))", "\"flow\": \(ReportFormat.quote(row.job.flow))"]
            if !row.job.enabled { fields.append("\"enabled\": false") }
            if row.ended { fields.append("\"ended\": true") }
            fields.append("\"next\": [" + next.joined(separator: ", ") + "]")
            items.append("  {" + fields.joined(separator: ", ") + "}")
        }
        return items.isEmpty ? "[]\n" : "[\n" + items.joined(separator: ",\n") + "\n]\n"
    }
}
