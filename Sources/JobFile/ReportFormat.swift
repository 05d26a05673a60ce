import Foundation
import Scheduling

/// The formatting `appflowd next` and `appflowd status` share: times in the job's zone and in
/// UTC, `systemctl list-timers`-style columns, and JSON strings, so both commands print a time
/// the same way.
package enum ReportFormat {
    static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    static func dateTime(localSeconds: Int64, separator: String) -> String {
        let days = CivilTime.floorDiv(localSeconds, 86_400)
        let secs = Int(localSeconds - days * 86_400)
        let d = CivilTime.date(days: days)
        return "\(d.year)-\(two(d.month))-\(two(d.day))\(separator)\(two(secs / 3600)):\(two(secs / 60 % 60)):\(two(secs % 60))"
    }

    /// `2026-11-26 01:00:00 UTC`, or with `json` `2026-11-26T01:00:00Z` (`.250Z` with `millis`).
    package static func utcText(millis: Int64, json: Bool = false, millis showMillis: Bool = false) -> String {
        let seconds = CivilTime.floorDiv(millis, 1000)
        let ms = Int(millis - seconds * 1000)
        var text = dateTime(localSeconds: seconds, separator: json ? "T" : " ")
        if showMillis { text += "." + String(String(ms + 1000).dropFirst()) }
        return text + (json ? "Z" : " UTC")
    }

    static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]

    /// `Thu 2026-11-26 02:00:00 CET`: the wall-clock time in `zone`, as `systemctl list-timers` shows it.
    package static func localText(millis: Int64, zone: TimeZone) -> String {
        let seconds = CivilTime.floorDiv(millis, 1000)
        let local = ZoneResolver(timeZone: zone).local(seconds)
        let abbreviation = ZoneAbbreviation.abbreviation(for: zone, at: Date(timeIntervalSince1970: Double(seconds)))
        return "\(weekdays[CivilTime.weekday(days: CivilTime.floorDiv(local, 86_400))]) \(dateTime(localSeconds: local, separator: " ")) \(abbreviation)"
    }

    /// `2026-11-26T02:00:00+01:00`.
    package static func localRFC3339(seconds: Int64, zone: TimeZone) -> String {
        let offset = ZoneResolver(timeZone: zone).offset(at: seconds)
        let sign = offset < 0 ? "-" : "+"
        let a = Int(abs(offset))
        return dateTime(localSeconds: seconds + offset, separator: "T") + "\(sign)\(two(a / 3600)):\(two(a / 60 % 60))"
    }

    /// `5h 12min`, `13s`: at most two units, whole seconds from one second on, like the LEFT and
    /// PASSED columns of `systemctl list-timers`.
    package static func span(millis: Int64) -> String {
        let millis = max(0, millis)
        return DurationFormatter.format(.milliseconds(millis >= 1000 ? millis / 1000 * 1000 : millis), maxUnits: 2)
    }

    /// Left-aligned columns separated by two spaces; the last column is not padded.
    package static func columns(_ rows: [[String]]) -> String {
        guard let width = rows.map(\.count).max() else { return "" }
        let widths = (0..<width).map { c in rows.map { c < $0.count ? $0[c].count : 0 }.max() ?? 0 }
        var out = ""
        for cells in rows {
            let padded = cells.enumerated().map { i, cell in
                i == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
            }
            out += padded.joined(separator: "  ") + "\n"
        }
        return out
    }

    /// A JSON string literal.
    package static func quote(_ s: String) -> String {
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
