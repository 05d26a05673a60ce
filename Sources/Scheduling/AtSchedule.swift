import Foundation

/// One-shot start times: a sorted list of distinct instants (Unix seconds).
package struct AtSchedule: Schedule, Equatable {
    package let instants: [Int64]

    package init(instants: [Int64]) {
        self.instants = Array(Set(instants)).sorted()
    }

    package func nextSlot(after: Int64) -> Int64? {
        var lo = 0
        var hi = instants.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if instants[mid] > after { hi = mid } else { lo = mid + 1 }
        }
        return lo < instants.count ? instants[lo] : nil
    }

    /// Parses one start time: RFC 3339 (`2026-12-01T09:00:00Z`, `2026-12-01T10:00:00+01:00`) or a
    /// local date-time read in `timeZone` (`2026-12-02 09:00`, `2026-12-02T09:00:30`). A local time
    /// inside a DST gap means the first instant after the gap; one that occurs twice, its first
    /// occurrence (the rule cron applies to fixed-time jobs). Fractional seconds are rejected: slots are whole seconds.
    package static func parseTime(_ text: String, timeZone: TimeZone) throws(ScheduleSyntaxError) -> Int64 {
        let chars = Array(text)
        var pos = 0
        func fail(_ message: String, at offset: Int? = nil) -> ScheduleSyntaxError {
            ScheduleSyntaxError(
                message: "'\(text)' is not a date-time (\(message)); write RFC 3339 like 2026-12-01T09:00:00Z or a local time like 2026-12-01 09:00",
                offset: offset ?? pos)
        }
        func number(_ digits: Int, _ what: String) throws(ScheduleSyntaxError) -> Int {
            guard pos + digits <= chars.count else { throw fail("expected \(digits)-digit \(what)") }
            var value = 0
            for c in chars[pos..<pos + digits] {
                guard let d = c.wholeNumberValue, c.isASCII else { throw fail("expected \(digits)-digit \(what)") }
                value = value * 10 + d
            }
            pos += digits
            return value
        }
        func expect(_ c: Character, _ what: String) throws(ScheduleSyntaxError) {
            guard pos < chars.count, chars[pos] == c else { throw fail("expected '\(c)' \(what)") }
            pos += 1
        }
        let year = try number(4, "year")
        try expect("-", "after the year")
        let month = try number(2, "month")
        try expect("-", "after the month")
        let day = try number(2, "day")
        guard (1...12).contains(month) else { throw fail("month \(month) out of range", at: 5) }
        guard day >= 1, day <= CivilTime.daysInMonth(year: Int64(year), month: month) else {
            throw fail("day \(day) out of range", at: 8)
        }
        guard pos < chars.count, ["T", "t", " "].contains(chars[pos]) else { throw fail("expected 'T' or a space and a time") }
        pos += 1
        let hour = try number(2, "hour")
        try expect(":", "after the hour")
        let minute = try number(2, "minute")
        var second = 0
        if pos < chars.count, chars[pos] == ":" {
            pos += 1
            second = try number(2, "second")
        }
        guard hour <= 23, minute <= 59, second <= 59 else { throw fail("time out of range", at: 11) }
        if pos < chars.count, chars[pos] == "." {
            throw fail("fractional seconds are not supported: slots are whole seconds")
        }
        let local = CivilTime.days(year: Int64(year), month: month, day: day) * 86_400
            + Int64(hour * 3600 + minute * 60 + second)
        if pos == chars.count {
            return ZoneResolver(timeZone: timeZone).instant(local: local)
        }
        if chars[pos] == "Z" || chars[pos] == "z" {
            pos += 1
            guard pos == chars.count else { throw fail("unexpected text after 'Z'") }
            return local
        }
        guard chars[pos] == "+" || chars[pos] == "-" else { throw fail("expected 'Z', an offset like +01:00, or the end") }
        let sign: Int64 = chars[pos] == "-" ? -1 : 1
        pos += 1
        let offsetHours = try number(2, "offset hours")
        try expect(":", "in the offset")
        let offsetMinutes = try number(2, "offset minutes")
        guard offsetHours <= 23, offsetMinutes <= 59 else { throw fail("offset out of range") }
        guard pos == chars.count else { throw fail("unexpected text after the offset") }
        return local - sign * Int64(offsetHours * 3600 + offsetMinutes * 60)
    }
}
