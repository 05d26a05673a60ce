/// Parses durations the way systemd.time(7) writes time spans: `90s`, `15m`, `1h30m`, `2d`,
/// `500ms`, `1h 30min`, `1.5h`; a bare number is seconds. Units are case-sensitive as in systemd
/// (`m` is minutes, `M` months).
package enum DurationParser {
    /// Unit names and their length in microseconds, as systemd's parse_time() defines them
    /// (a month is 30.44 days, a year 365.25 days).
    static let units: [String: Int64] = {
        let s: Int64 = 1_000_000
        var table: [String: Int64] = [:]
        for name in ["us", "usec", "µs", "μs"] { table[name] = 1 }
        for name in ["ms", "msec"] { table[name] = 1000 }
        for name in ["s", "sec", "second", "seconds"] { table[name] = s }
        for name in ["m", "min", "minute", "minutes"] { table[name] = 60 * s }
        for name in ["h", "hr", "hour", "hours"] { table[name] = 3600 * s }
        for name in ["d", "day", "days"] { table[name] = 86_400 * s }
        for name in ["w", "week", "weeks"] { table[name] = 604_800 * s }
        for name in ["M", "month", "months"] { table[name] = 2_629_800 * s }
        for name in ["y", "year", "years"] { table[name] = 31_557_600 * s }
        return table
    }()

    /// Durations above this (about 100 years) are rejected rather than risking overflow.
    static let maxMicroseconds: Int64 = 100 * 31_557_600 * 1_000_000

    /// The duration, with microsecond resolution like systemd. Errors carry the character offset of
    /// the bad component.
    package static func parse(_ text: String) throws(ScheduleSyntaxError) -> Duration {
        let chars = Array(text)
        var pos = 0
        var total: Int64 = 0
        var components = 0
        func skipSpaces() { while pos < chars.count, chars[pos] == " " || chars[pos] == "\t" { pos += 1 } }
        skipSpaces()
        if pos == chars.count {
            throw ScheduleSyntaxError(message: "empty duration; write e.g. 90s, 15m, 1h30m, 2d, 500ms", offset: 0)
        }
        while true {
            skipSpaces()
            if pos == chars.count { break }
            let start = pos
            var whole: Int64 = 0
            var digits = 0
            while pos < chars.count, chars[pos].isASCII, let d = chars[pos].wholeNumberValue {
                whole = whole * 10 + Int64(d)
                digits += 1
                pos += 1
                if whole > maxMicroseconds { throw tooLarge(text, start) }
            }
            var fraction: Int64 = 0  // in millionths
            var fractionDigits = 0
            if pos < chars.count, chars[pos] == "." {
                pos += 1
                var scale: Int64 = 100_000
                while pos < chars.count, chars[pos].isASCII, let d = chars[pos].wholeNumberValue {
                    fraction += Int64(d) * scale
                    scale /= 10
                    fractionDigits += 1
                    pos += 1
                }
            }
            guard digits + fractionDigits > 0 else {
                throw ScheduleSyntaxError(message: "'\(text)' is not a duration: expected a number at '\(String(chars[start...]))'; write e.g. 90s, 15m, 1h30m, 2d, 500ms", offset: start)
            }
            skipSpaces()
            let unitStart = pos
            while pos < chars.count, chars[pos].isLetter { pos += 1 }
            let unitName = String(chars[unitStart..<pos])
            let unit: Int64
            if unitName.isEmpty {
                // A number without a unit is seconds, as in systemd ("1h 30" is 1h 30s).
                unit = 1_000_000
            } else if let u = units[unitName] {
                unit = u
            } else {
                throw ScheduleSyntaxError(message: "unknown unit '\(unitName)' in '\(text)' (use us, ms, s, min, h, d, w, M, y)", offset: unitStart)
            }
            let (a, o1) = whole.multipliedReportingOverflow(by: unit)
            // fraction is in millionths; split the unit so the product cannot overflow.
            let b = fraction * (unit / 1_000_000) + fraction * (unit % 1_000_000) / 1_000_000
            let (c, o2) = total.addingReportingOverflow(a)
            let (sum, o3) = c.addingReportingOverflow(b)
            if o1 || o2 || o3 || sum > maxMicroseconds { throw tooLarge(text, start) }
            total = sum
            components += 1
        }
        return .microseconds(total)
    }

    private static func tooLarge(_ text: String, _ offset: Int) -> ScheduleSyntaxError {
        ScheduleSyntaxError(message: "duration '\(text)' is too large (at most 100 years)", offset: offset)
    }
}
