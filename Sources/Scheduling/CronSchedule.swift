import Foundation

/// A five-field cron expression with Vixie cron's meaning, evaluated in one time zone.
///
/// DST: a local time skipped by a change fires at the first instant after the gap (several skipped
/// times collapse into that one slot); a local time that occurs twice fires once, at its first
/// occurrence.
package struct CronSchedule: Schedule {
    /// The expression as written, whitespace collapsed (macros kept as written).
    package let normalized: String
    let minutes: [Int]
    let hours: [Int]
    let dayOfMonth: CronField
    let month: CronField
    let dayOfWeek: CronField
    let resolver: ZoneResolver

    static let macros: [String: String] = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
        "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]

    /// A bit more than one 400-year Gregorian cycle, after which every (month, day, weekday)
    /// combination has occurred: a day pattern not found by then never matches.
    static let searchDays: Int64 = 146_097 + 400

    package init(parsing expression: String, timeZone: TimeZone) throws(ScheduleSyntaxError) {
        // Split into fields, remembering each field's character offset.
        var fields: [(text: Substring, offset: Int)] = []
        var index = expression.startIndex
        var offset = 0
        while index < expression.endIndex {
            if expression[index] == " " || expression[index] == "\t" {
                index = expression.index(after: index)
                offset += 1
                continue
            }
            let start = index
            let startOffset = offset
            while index < expression.endIndex, expression[index] != " ", expression[index] != "\t" {
                index = expression.index(after: index)
                offset += 1
            }
            fields.append((expression[start..<index], startOffset))
        }
        guard let first = fields.first else {
            throw ScheduleSyntaxError(message: "empty cron expression", offset: 0)
        }
        var texts = fields.map(\.text)
        var offsets = fields.map(\.offset)
        if first.text.hasPrefix("@") {
            let key = first.text.lowercased()
            if key == "@reboot" {
                throw ScheduleSyntaxError(message: "@reboot is not a schedule: appflowd starts flows at times, not at boot", offset: first.offset)
            }
            guard let expansion = Self.macros[key] else {
                let known = Self.macros.keys.sorted().joined(separator: " ")
                throw ScheduleSyntaxError(message: "unknown macro '\(first.text)' (known: \(known))", offset: first.offset)
            }
            if fields.count > 1 {
                throw ScheduleSyntaxError(message: "unexpected text after \(first.text)", offset: fields[1].offset)
            }
            texts = expansion.split(separator: " ")
            offsets = Array(repeating: first.offset, count: 5)
        } else if fields.count != 5 {
            if fields.count > 5 {
                throw ScheduleSyntaxError(message: "cron expression has \(fields.count) fields, expected 5 (minute hour day-of-month month day-of-week; no seconds or year field)", offset: fields[5].offset)
            }
            throw ScheduleSyntaxError(message: "cron expression has \(fields.count) field\(fields.count == 1 ? "" : "s"), expected 5 (minute hour day-of-month month day-of-week)", offset: expression.count)
        }
        let kinds = CronField.Kind.allCases
        var parsed: [CronField] = []
        for i in 0..<5 {
            parsed.append(try CronField(parsing: texts[i], kind: kinds[i], offset: offsets[i]))
        }
        minutes = parsed[0].values
        hours = parsed[1].values
        dayOfMonth = parsed[2]
        month = parsed[3]
        dayOfWeek = parsed[4]
        normalized = first.text.hasPrefix("@") ? String(first.text) : texts.joined(separator: " ")
        resolver = ZoneResolver(timeZone: timeZone)
    }

    /// Whether a local calendar day matches the day-of-month, month and day-of-week fields,
    /// with Vixie cron's rule: if either day field starts with `*`, both must match; otherwise either.
    func matches(days: Int64) -> Bool {
        let date = CivilTime.date(days: days)
        guard month.contains(date.month) else { return false }
        let domMatch = dayOfMonth.contains(date.day)
        let dowMatch = dayOfWeek.contains(CivilTime.weekday(days: days))
        if dayOfMonth.startsWithStar || dayOfWeek.startsWithStar {
            return domMatch && dowMatch
        }
        return domMatch || dowMatch
    }

    package func nextSlot(after: Int64) -> Int64? {
        // Beyond year 9999 (or before year 1) is outside any schedule worth computing, and keeps
        // the arithmetic below far from overflow.
        guard after < CivilTime.maxInstant, after > CivilTime.minInstant else { return nil }
        let offsetNow = resolver.offset(at: after)
        // When the offset is the same a day either side, local time maps 1:1 to instants here and
        // the scan can start just after `after`'s own wall time. Near a change, start a few hours
        // early so a repeated or skipped wall time mapping after `after` is not missed.
        let steady = resolver.offset(at: after - 86_400) == offsetNow && resolver.offset(at: after + 86_400) == offsetNow
        let startLocal = after + offsetNow - (steady ? 0 : 4 * 3600)
        var day = CivilTime.floorDiv(startLocal, 86_400)
        var firstMinuteOfDay = Int(CivilTime.floorDiv(startLocal - day * 86_400, 60))
        for _ in 0..<Self.searchDays {
            if matches(days: day) {
                for hour in hours where (hour * 60 + 59) >= firstMinuteOfDay {
                    for minute in minutes where hour * 60 + minute >= firstMinuteOfDay {
                        let local = day * 86_400 + Int64(hour * 3600 + minute * 60)
                        let instant = steady && local - offsetNow < after + 86_400
                            ? local - offsetNow
                            : resolver.instant(local: local)
                        if instant > after { return instant }
                    }
                }
            }
            day += 1
            firstMinuteOfDay = 0
        }
        return nil
    }
}
