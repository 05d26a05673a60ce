/// A parsed, normalized `OnCalendar=` expression: the fields of systemd's `CalendarSpec`.
///
/// Weekday bits: bit 0 is Monday ... bit 6 is Sunday; -1 means any day.
struct CalendarSpec: Sendable, Equatable {
    var weekdays: Int = -1
    /// The day field counts back from the month's end (`~`).
    var endOfMonth = false
    /// Evaluated in UTC (a ` UTC` suffix or an `@` timestamp).
    var utc = false
    /// An IANA zone named by the expression's suffix; nil means the job's zone.
    var zoneName: String?
    var year: CalendarChain?
    var month: CalendarChain?
    var day: CalendarChain?
    var hour: CalendarChain?
    var minute: CalendarChain?
    /// Seconds of the minute in microseconds; systemd always has this field.
    var microsecond: CalendarChain?

    static let microsPerSecond = 1_000_000
    static let minYear = 1970
    static let maxYear = 2199

    /// systemd's normalization: two-digit years, a full weekday set means none, `~` without a day
    /// field means nothing, and every field list sorted and de-duplicated.
    mutating func normalize() {
        if zoneName == "UTC" {
            utc = true
            zoneName = nil
        }
        if weekdays <= 0 || weekdays >= 127 {
            weekdays = -1
        }
        if endOfMonth && day == nil {
            endOfMonth = false
        }
        year = year.map { chain in
            chain.map { c in
                var c = c
                c.start = Self.fullYear(c.start)
                c.stop = Self.fullYear(c.stop)
                return c
            }
        }
        year = CalendarChainRules.normalize(year)
        month = CalendarChainRules.normalize(month)
        day = CalendarChainRules.normalize(day)
        hour = CalendarChainRules.normalize(hour)
        minute = CalendarChainRules.normalize(minute)
        microsecond = CalendarChainRules.normalize(microsecond)
    }

    /// 12 -> 2012, 89 -> 1989; -1 (no range end) stays.
    private static func fullYear(_ y: Int) -> Int {
        if y >= 0 && y < 70 { return y + 2000 }
        if y >= 70 && y < 100 { return y + 1900 }
        return y
    }

    /// The first field that systemd would reject, as a field name and the allowed range.
    func invalidField() -> (field: CalendarField, range: ClosedRange<Int>)? {
        let checks: [(CalendarField, CalendarChain?, Int, Int, Bool)] = [
            (.year, year, Self.minYear, Self.maxYear, false),
            (.month, month, 1, 12, false),
            (.day, day, 1, 31, endOfMonth),
            (.hour, hour, 0, 23, false),
            (.minute, minute, 0, 59, false),
            (.second, microsecond, 0, 60 * Self.microsPerSecond - 1, false),
        ]
        for (field, chain, from, to, eom) in checks
        where !CalendarChainRules.isValid(chain, from: from, to: to, endOfMonth: eom) {
            // systemd lowers the bound by 3 per `~` element; with a long chain it falls below
            // `from` (found by fuzzing: a trap building the range), so clamp it.
            return (field, from...max(from, eom ? to - 3 * (chain?.count ?? 1) : to))
        }
        return nil
    }

    /// The text `systemd-analyze calendar` prints as "Normalized form:".
    var formatted: String {
        var text = ""
        if weekdays > 0 && weekdays < 127 {
            text += Self.formatWeekdays(weekdays) + " "
        }
        text += CalendarChainRules.format(year, width: 4, microseconds: false) + "-"
        text += CalendarChainRules.format(month, width: 2, microseconds: false)
        text += endOfMonth ? "~" : "-"
        text += CalendarChainRules.format(day, width: 2, microseconds: false) + " "
        text += CalendarChainRules.format(hour, width: 2, microseconds: false) + ":"
        text += CalendarChainRules.format(minute, width: 2, microseconds: false) + ":"
        text += CalendarChainRules.format(microsecond, width: 2, microseconds: true)
        if utc {
            text += " UTC"
        } else if let zoneName {
            text += " " + zoneName
        }
        return text
    }

    static let weekdayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    /// Runs of three or more days as `A..C`, pairs as `A,B`, like systemd.
    private static func formatWeekdays(_ bits: Int) -> String {
        var parts: [String] = []
        var day = 0
        while day < 7 {
            guard bits & (1 << day) != 0 else {
                day += 1
                continue
            }
            var last = day
            while last + 1 < 7 && bits & (1 << (last + 1)) != 0 {
                last += 1
            }
            switch last - day {
            case 0: parts.append(weekdayNames[day])
            case 1: parts.append(weekdayNames[day] + "," + weekdayNames[last])
            default: parts.append(weekdayNames[day] + ".." + weekdayNames[last])
            }
            day = last + 1
        }
        return parts.joined(separator: ",")
    }
}

/// The fields of a calendar expression, for error messages.
enum CalendarField: String, Sendable {
    case weekday, year, month, day, hour, minute, second
}
