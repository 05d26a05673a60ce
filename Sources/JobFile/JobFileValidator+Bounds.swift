import Foundation
import Scheduling
import TOMLKit

extension JobFileValidator {
    static let boundKeys = ["start", "end"]

    /// A job's `start` and `end` (RFC 3339 instants with a zone), checked against its schedule:
    /// `start` must be before `end`, some slot must fall between them, and a job with no slot
    /// left before `end` gets a warning. `at` jobs take neither: their times are their bounds.
    mutating func bounds(_ table: TOMLTable, path: String, schedule: (any Schedule)?) -> SlotBounds {
        guard table["start"] != nil || table["end"] != nil else { return SlotBounds() }
        if table["at"] != nil {
            for key in Self.boundKeys where table[key] != nil {
                report(path + "." + key, "'\(key)' applies to recurring jobs (cron, calendar, every): an 'at' job starts at its listed times only", at: .key)
            }
            return SlotBounds()
        }
        let errorsBefore = errorCount
        let bounds = SlotBounds(start: instant(table, "start", path + ".start"), end: instant(table, "end", path + ".end"))
        guard errorCount == errorsBefore else { return bounds }
        if let start = bounds.start, let end = bounds.end, start >= end {
            report(path + ".end", "'end' (\(TimeText.rfc3339(seconds: end))) must be after 'start' (\(TimeText.rfc3339(seconds: start)))")
            return bounds
        }
        guard let schedule else { return bounds }
        let bounded = BoundedSchedule(base: schedule, bounds: bounds)
        if let start = bounds.start, bounded.nextSlot(after: start - 1) == nil {
            let message = bounds.end == nil
                ? "the schedule has no slot on or after 'start' (\(TimeText.rfc3339(seconds: start))): this job would never start"
                : "the schedule has no slot between 'start' and 'end': this job would never start"
            report(path + ".start", message)
        } else if let end = bounds.end, bounded.nextSlot(after: now) == nil {
            report(path + ".end", "no slot is left before 'end' (\(TimeText.rfc3339(seconds: end))): this job has ended and will not start again",
                   severity: .warning)
        }
        return bounds
    }

    /// An RFC 3339 instant with its zone (`Z` or an offset), as a quoted string, in Unix seconds.
    mutating func instant(_ table: TOMLTable, _ key: String, _ path: String) -> Int64? {
        guard let value = table[key] else { return nil }
        guard let text = value.string else {
            report(path, "'\(key)' must be an RFC 3339 instant as a quoted string, like \"2027-01-01T00:00:00Z\", not \(Self.typeName(value))")
            return nil
        }
        let seconds: Int64
        do {
            seconds = try AtSchedule.parseTime(text, timeZone: TimeZone(identifier: "UTC") ?? .current)
        } catch {
            report(path, "bad '\(key)': \(error.message)", extra: 1 + error.offset)
            return nil
        }
        guard Self.hasZone(text) else {
            report(path, "'\(key)' = \"\(text)\" has no zone: write an instant like \"2027-01-01T00:00:00Z\" or \"2027-01-01T00:00:00+01:00\"")
            return nil
        }
        return seconds
    }

    /// Whether an RFC 3339 text ends with `Z` or `+HH:MM` / `-HH:MM` (a local date-time does not).
    static func hasZone(_ text: String) -> Bool {
        let chars = Array(text)
        if let last = chars.last, last == "Z" || last == "z" { return true }
        guard chars.count >= 6 else { return false }
        let sign = chars[chars.count - 6]
        return (sign == "+" || sign == "-") && chars[chars.count - 3] == ":"
    }
}
