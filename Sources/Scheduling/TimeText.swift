import Foundation

/// Instants as text: RFC 3339 in UTC (logs, the ledger's reports, JSON) and in a zone's offset,
/// and the `2026-11-26 01:00:00 UTC` of tables and `STATUS=`. The one place civil date-times are
/// written, so the scheduler, the logs and the reports print an instant the same way. Pure
/// integer arithmetic (`CivilTime`), no formatter: cheap on the scheduler's hot path.
package enum TimeText {
    package static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// `2026-11-26 01:00:00` (with `separator` between date and time) of "local seconds".
    package static func dateTime(localSeconds: Int64, separator: String) -> String {
        let days = CivilTime.floorDiv(localSeconds, 86_400)
        let secs = Int(localSeconds - days * 86_400)
        let d = CivilTime.date(days: days)
        return "\(d.year)-\(two(d.month))-\(two(d.day))\(separator)\(two(secs / 3600)):\(two(secs / 60 % 60)):\(two(secs % 60))"
    }

    /// `2026-11-26 01:00:00 UTC`, or with `json` `2026-11-26T01:00:00Z` (`.250Z` with `millis`).
    package static func utc(millis: Int64, json: Bool = false, millis showMillis: Bool = false) -> String {
        let seconds = CivilTime.floorDiv(millis, 1000)
        let ms = Int(millis - seconds * 1000)
        var text = dateTime(localSeconds: seconds, separator: json ? "T" : " ")
        if showMillis { text += "." + String(String(ms + 1000).dropFirst()) }
        return text + (json ? "Z" : " UTC")
    }

    /// `2026-11-26T01:00:00Z` from Unix seconds.
    package static func rfc3339(seconds: Int64) -> String {
        utc(millis: seconds * 1000, json: true)
    }

    /// `2026-11-26T02:00:00+01:00`: the instant in `zone`'s offset.
    package static func localRFC3339(seconds: Int64, zone: TimeZone) -> String {
        let offset = ZoneResolver(timeZone: zone).offset(at: seconds)
        let sign = offset < 0 ? "-" : "+"
        let a = Int(abs(offset))
        return dateTime(localSeconds: seconds + offset, separator: "T") + "\(sign)\(two(a / 3600)):\(two(a / 60 % 60))"
    }

    /// `2026-11-26T02:00:17.250+01:00`: with milliseconds.
    package static func localRFC3339(millis: Int64, zone: TimeZone) -> String {
        let seconds = CivilTime.floorDiv(millis, 1000)
        let text = localRFC3339(seconds: seconds, zone: zone)
        let fraction = "." + String(String(Int(millis - seconds * 1000) + 1000).dropFirst())
        return text.dropLast(6) + fraction + text.suffix(6)
    }
}
