import Foundation
import Scheduling

/// What `appflowd next` prints: each job's next slots, as a `systemctl list-timers`-like table or
/// as the stable JSON of SPEC section 1.
package struct NextReport: Sendable {
    package struct Row: Sendable {
        package var job: Job
        /// Nominal slots (Unix seconds), at most `count`; empty for a disabled or finished job.
        package var slots: [Int64]
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

    /// Columns JOB, FLOW, NEXT (local fire time with the zone's abbreviation), UTC, LEFT, TOKEN;
    /// rows sorted by fire time, disabled and finished jobs last.
    package func table() -> String {
        var lines: [(sortKey: Int64, cells: [String])] = []
        for row in rows {
            if row.slots.isEmpty {
                let state = row.job.enabled ? "n/a (no further slot)" : "disabled"
                lines.append((Int64.max, [row.job.name, row.job.flow, state, "-", "-", "-"]))
            }
            for slot in row.slots {
                let fire = row.job.fireTime(slot: slot)
                let left = Duration.milliseconds(fire - from * 1000)
                lines.append((fire, [
                    row.job.name, row.job.flow, Self.localText(millis: fire, zone: row.job.timeZone),
                    Self.utcText(millis: fire), DurationFormatter.format(left, maxUnits: 2) + " left",
                    row.job.clientToken(slot: slot),
                ]))
            }
        }
        let sorted = lines.enumerated().sorted { ($0.element.sortKey, $0.offset) < ($1.element.sortKey, $1.offset) }.map(\.element.cells)
        let header = ["JOB", "FLOW", "NEXT", "UTC", "LEFT", "TOKEN"]
        let all = [header] + sorted
        let widths = (0..<header.count).map { c in all.map { $0[c].count }.max() ?? 0 }
        var out = ""
        for cells in all {
            let padded = cells.enumerated().map { i, cell in
                i == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
            }
            out += padded.joined(separator: "  ") + "\n"
        }
        let jobs = rows.count
        out += "\n\(jobs) job\(jobs == 1 ? "" : "s") listed.\n"
        return out
    }

    // MARK: - JSON

    /// `[{"job": ..., "flow": ..., "next": [{"nominal", "fire", "local", "clientToken"}]}]` in
    /// job-file order; a disabled job has `"enabled": false` and an empty `next`.
    package func json() -> String {
        var items: [String] = []
        for row in rows {
            let next = row.slots.map { slot in
                let fields = [
                    ("nominal", Self.utcText(millis: slot * 1000, json: true, millis: false)),
                    ("fire", Self.utcText(millis: row.job.fireTime(slot: slot), json: true, millis: true)),
                    ("local", Self.localRFC3339(seconds: slot, zone: row.job.timeZone)),
                    ("clientToken", row.job.clientToken(slot: slot)),
                ]
                return "{" + fields.map { "\(Self.quote($0.0)): \(Self.quote($0.1))" }.joined(separator: ", ") + "}"
            }
            var fields = ["\"job\": \(Self.quote(row.job.name))", "\"flow\": \(Self.quote(row.job.flow))"]
            if !row.job.enabled { fields.append("\"enabled\": false") }
            fields.append("\"next\": [" + next.joined(separator: ", ") + "]")
            items.append("  {" + fields.joined(separator: ", ") + "}")
        }
        return items.isEmpty ? "[]\n" : "[\n" + items.joined(separator: ",\n") + "\n]\n"
    }

    // MARK: - Formatting

    static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    static func dateTime(localSeconds: Int64, separator: String) -> String {
        let days = CivilTime.floorDiv(localSeconds, 86_400)
        let secs = Int(localSeconds - days * 86_400)
        let d = CivilTime.date(days: days)
        return "\(d.year)-\(two(d.month))-\(two(d.day))\(separator)\(two(secs / 3600)):\(two(secs / 60 % 60)):\(two(secs % 60))"
    }

    static func utcText(millis: Int64, json: Bool = false, millis showMillis: Bool = false) -> String {
        let seconds = CivilTime.floorDiv(millis, 1000)
        let ms = Int(millis - seconds * 1000)
        var text = dateTime(localSeconds: seconds, separator: json ? "T" : " ")
        if showMillis { text += "." + String(String(ms + 1000).dropFirst()) }
        return text + (json ? "Z" : " UTC")
    }

    static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]

    static func localText(millis: Int64, zone: TimeZone) -> String {
        let seconds = CivilTime.floorDiv(millis, 1000)
        let local = ZoneResolver(timeZone: zone).local(seconds)
        let abbreviation = zone.abbreviation(for: Date(timeIntervalSince1970: Double(seconds))) ?? zone.identifier
        return "\(weekdays[CivilTime.weekday(days: CivilTime.floorDiv(local, 86_400))]) \(dateTime(localSeconds: local, separator: " ")) \(abbreviation)"
    }

    static func localRFC3339(seconds: Int64, zone: TimeZone) -> String {
        let offset = ZoneResolver(timeZone: zone).offset(at: seconds)
        let sign = offset < 0 ? "-" : "+"
        let a = Int(abs(offset))
        return dateTime(localSeconds: seconds + offset, separator: "T") + "\(sign)\(two(a / 3600)):\(two(a / 60 % 60))"
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
