import Foundation
import Scheduling

/// The formatting `appflowd next` and `appflowd status` share: times in the job's zone with its
/// abbreviation, spans, `systemctl list-timers`-style columns, and JSON strings, so both commands
/// print a time the same way. Date-times themselves are written by `TimeText` (Scheduling).
package enum ReportFormat {
    static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]

    /// `Thu 2026-11-26 02:00:00 CET`: the wall-clock time in `zone`, as `systemctl list-timers` shows it.
    package static func localText(millis: Int64, zone: TimeZone) -> String {
        let seconds = CivilTime.floorDiv(millis, 1000)
        let local = ZoneResolver(timeZone: zone).local(seconds)
        let abbreviation = ZoneAbbreviation.abbreviation(for: zone, at: Date(timeIntervalSince1970: Double(seconds)))
        return "\(weekdays[CivilTime.weekday(days: CivilTime.floorDiv(local, 86_400))]) \(TimeText.dateTime(localSeconds: local, separator: " ")) \(abbreviation)"
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
