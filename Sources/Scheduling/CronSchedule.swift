import Foundation

/// A five-field cron expression with Vixie cron's meaning, evaluated in one time zone.
///
/// Changes of the zone's offset (DST and others) are handled as cronie handles them (cron(8),
/// "Daylight Saving Time and other time changes"), which decides per job:
/// - A *wildcard* job, whose minute or hour field starts with `*` (`*`, `*/30`, `@hourly`), follows
///   the wall clock: a local time that does not exist does not fire, and one that occurs twice
///   fires at both occurrences.
/// - Any other (*fixed-time*) job: at a forward change of less than 3 hours, the local times it
///   skips fire at the first instant after the gap (several collapse into that one slot); at a
///   backward change of up to 3 hours, a local time that occurs twice fires once, at its first
///   occurrence. cronie takes a larger change for the clock being set, after which it, too,
///   follows the wall clock.
package struct CronSchedule: Schedule {
    /// The expression as written, whitespace collapsed (macros kept as written).
    package let normalized: String
    let minutes: [Int]
    let hours: [Int]
    let dayOfMonth: CronField
    let month: CronField
    let dayOfWeek: CronField
    let resolver: ZoneResolver
    /// cronie's `MIN_STAR | HR_STAR`: the job follows the wall clock across offset changes.
    package let followsWallClock: Bool

    static let macros: [String: String] = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
        "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]

    /// A bit more than one 400-year Gregorian cycle, after which every (month, day, weekday)
    /// combination has occurred: a day pattern not found by then never matches.
    static let searchDays: Int64 = 146_097 + 400

    /// cronie compares the minute it last ran (its "virtual time") with the clock's local minute
    /// each time it wakes: a difference over 180 minutes is the clock being set, anything smaller
    /// a DST change. A forward change of d minutes makes that difference d + 1, a backward one
    /// 1 - d: so fixed-time jobs catch up a gap shorter than 180 minutes, and skip a repeated
    /// stretch of up to 181 minutes.
    static let largestCaughtUpGap: Int64 = 180 * 60 - 1
    static let largestSkippedRepeat: Int64 = 181 * 60

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
        followsWallClock = parsed[0].startsWithStar || parsed[1].startsWithStar
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
        var scan = LocalScan()
        // Walk the stretches of constant offset from `after` on: inside one, wall time and
        // instants map 1:1. `t` is the earliest instant still allowed.
        var t = after + 1
        while t < CivilTime.maxInstant {
            let offset = resolver.offset(at: t)
            if !followsWallClock, let change = resolver.lastChange(atOrBefore: t, within: Self.largestSkippedRepeat) {
                let shift = change.after - change.before
                if shift < 0, -shift <= Self.largestSkippedRepeat, t < change.instant - shift {
                    // The second pass through a repeated stretch: its times fired in the first.
                    t = change.instant - shift
                    continue
                }
                if shift > 0, shift <= Self.largestCaughtUpGap, t == change.instant,
                   let skipped = first(atOrAfter: change.instant + change.before, &scan),
                   skipped < change.instant + change.after {
                    // A time inside the gap fires as soon as the gap is over.
                    return t
                }
            }
            guard let local = first(atOrAfter: t + offset, &scan) else { return nil }
            let candidate = local - offset
            guard let change = resolver.nextChange(after: t), change.instant <= candidate else {
                return candidate
            }
            t = change.instant
        }
        return nil
    }

    /// The last answer of ``first(atOrAfter:_:)``: the walk asks again from a slightly different
    /// local time after each change, and a yearly schedule must not rescan its year each time.
    struct LocalScan {
        var from: Int64 = .max
        var result: Int64?
    }

    /// The first matching local minute at or after `local` (local seconds), or nil when the day
    /// fields never match again.
    func first(atOrAfter local: Int64, _ scan: inout LocalScan) -> Int64? {
        if local >= scan.from, scan.result.map({ local <= $0 }) ?? true {
            return scan.result
        }
        let start = -CivilTime.floorDiv(-local, 60) * 60  // rounded up to a whole minute
        var day = CivilTime.floorDiv(start, 86_400)
        var firstMinuteOfDay = Int((start - day * 86_400) / 60)
        var result: Int64?
        search: for _ in 0..<Self.searchDays {
            if matches(days: day) {
                for hour in hours where hour * 60 + 59 >= firstMinuteOfDay {
                    for minute in minutes where hour * 60 + minute >= firstMinuteOfDay {
                        result = day * 86_400 + Int64(hour * 3600 + minute * 60)
                        break search
                    }
                }
            }
            day += 1
            firstMinuteOfDay = 0
        }
        scan = LocalScan(from: local, result: result)
        return result
    }
}
