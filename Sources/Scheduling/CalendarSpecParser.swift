import Foundation

/// Reads systemd's `OnCalendar=` grammar (systemd.time(7)) the way systemd 252's calendarspec
/// does, accepting and rejecting the same texts, and reports where a text went wrong.
struct CalendarSpecParser {
    private let text: [Character]
    private var spec = CalendarSpec()
    /// Where each field started, so that a value rejected after parsing can be pointed at.
    private var fieldOffsets: [CalendarField: Int] = [:]

    private init(_ text: [Character]) {
        self.text = text
    }

    static func parse(_ expression: String) throws(ScheduleSyntaxError) -> CalendarSpec {
        do {
            return try parseWithZone(expression)
        } catch {
            // systemd takes a last word for a zone only when the tz database has it, and then fails
            // on the whole text: when the text without that word is fine, the word is the problem.
            let characters = Array(expression)
            if let space = characters.lastIndex(of: " "), space > 0 {
                let word = String(characters[(space + 1)...])
                let zoneLike = CalendarZoneNames.hasZoneCharacters(word) && word.unicodeScalars.contains { $0.properties.isAlphabetic }
                    || word.first == "+" || (word.first == "-" && word.count > 1)
                if zoneLike, (try? parseWithZone(String(characters[..<space]))) != nil {
                    throw ScheduleSyntaxError(
                        message: "'\(word)' is not an IANA time zone name (like Europe/Berlin, or UTC)",
                        offset: space + 1, zoneName: word)
                }
            }
            throw error
        }
    }

    private static func parseWithZone(_ expression: String) throws(ScheduleSyntaxError) -> CalendarSpec {
        var body = Array(expression)
        var spec = CalendarSpec()
        let lowered = expression.lowercased()
        if lowered.hasSuffix(" utc") {
            spec.utc = true
            body.removeLast(4)
        } else if let space = body.lastIndex(of: " "), CalendarZoneNames.isZoneName(String(body[(space + 1)...])) {
            spec.zoneName = String(body[(space + 1)...])
            body.removeSubrange(space...)
        }
        guard !body.isEmpty else {
            throw ScheduleSyntaxError(message: "empty calendar expression", offset: 0)
        }
        var parser = CalendarSpecParser(body)
        parser.spec = spec
        if !parser.applyShorthand(String(body).lowercased()) {
            try parser.parseFull()
        }
        parser.spec.normalize()
        if let bad = parser.spec.invalidField() {
            throw ScheduleSyntaxError(
                message: "\(bad.field.rawValue) value out of range \(bad.range.lowerBound)..\(bad.range.upperBound)"
                    + " (or a repetition that cannot fire)",
                offset: parser.fieldOffsets[bad.field] ?? 0
            )
        }
        return parser.spec
    }

    private mutating func applyShorthand(_ word: String) -> Bool {
        let zero = [CalendarComponent(start: 0)]
        let first = [CalendarComponent(start: 1)]
        switch word {
        case "minutely":
            spec.microsecond = zero
        case "hourly":
            (spec.minute, spec.microsecond) = (zero, zero)
        case "daily":
            (spec.hour, spec.minute, spec.microsecond) = (zero, zero, zero)
        case "monthly":
            (spec.day, spec.hour, spec.minute, spec.microsecond) = (first, zero, zero, zero)
        case "annually", "yearly", "anually":
            (spec.month, spec.day, spec.hour, spec.minute, spec.microsecond) = (first, first, zero, zero, zero)
        case "weekly":
            spec.weekdays = 1
            (spec.hour, spec.minute, spec.microsecond) = (zero, zero, zero)
        case "quarterly":
            spec.month = [1, 4, 7, 10].map { CalendarComponent(start: $0) }
            (spec.day, spec.hour, spec.minute, spec.microsecond) = (first, zero, zero, zero)
        case "biannually", "bi-annually", "semiannually", "semi-annually":
            spec.month = [1, 7].map { CalendarComponent(start: $0) }
            (spec.day, spec.hour, spec.minute, spec.microsecond) = (first, zero, zero, zero)
        default:
            return false
        }
        return true
    }

    private mutating func parseFull() throws(ScheduleSyntaxError) {
        var pos = try parseWeekdays(at: 0)
        let afterDate = try parseDate(at: pos)
        if let timestampEnd = afterDate.timestampEnd {
            pos = timestampEnd
        } else {
            pos = try parseTime(at: afterDate.position)
        }
        if pos < text.count {
            throw ScheduleSyntaxError(message: "unexpected text after the time", offset: pos)
        }
    }

    // MARK: - Characters

    private func char(_ i: Int) -> Character? {
        i < text.count ? text[i] : nil
    }

    private func skipSpaces(_ i: Int) -> Int {
        var i = i
        while char(i) == " " { i += 1 }
        return i
    }

    private func fail(_ message: String, _ offset: Int) -> ScheduleSyntaxError {
        ScheduleSyntaxError(message: message, offset: offset)
    }

    // MARK: - Weekdays

    private static let dayNames: [(String, Int)] = [
        ("monday", 0), ("mon", 0), ("tuesday", 1), ("tue", 1), ("wednesday", 2), ("wed", 2),
        ("thursday", 3), ("thu", 3), ("friday", 4), ("fri", 4), ("saturday", 5), ("sat", 5),
        ("sunday", 6), ("sun", 6),
    ]

    private func weekdayName(at i: Int) -> (length: Int, number: Int)? {
        for (name, number) in Self.dayNames where i + name.count <= text.count {
            if String(text[i..<(i + name.count)]).lowercased() == name {
                return (name.count, number)
            }
        }
        return nil
    }

    /// Parses a leading weekday list; returns where the date starts.
    private mutating func parseWeekdays(at start: Int) throws(ScheduleSyntaxError) -> Int {
        var pos = start
        var rangeStart = -1
        var rangeOffset = start
        var first = true
        var bits = 0
        defer { if bits != 0 { spec.weekdays = bits } }
        fieldOffsets[.weekday] = start
        while true {
            guard let (length, number) = weekdayName(at: pos) else {
                if first { return pos }
                throw fail("expected a weekday name (Mon..Sun)", pos)
            }
            guard [nil, "-", ".", ",", " "].contains(char(pos + length)) else {
                throw fail("unknown weekday name", pos)
            }
            bits |= 1 << number
            if rangeStart >= 0 {
                if rangeStart > number {
                    throw fail("weekday range must go from an earlier to a later day", rangeOffset)
                }
                for day in rangeStart..<number { bits |= 1 << day }
            }
            let nameOffset = pos
            pos += length
            guard let next = char(pos) else { return pos }
            if next == " " { return skipSpaces(pos) }
            if next == "." {
                guard rangeStart < 0, char(pos + 1) == "." else {
                    throw fail("a weekday range is written 'Mon..Fri'", pos)
                }
                (rangeStart, rangeOffset) = (number, nameOffset)
                pos += 2
            } else if next == "-" {
                guard rangeStart < 0 else { throw fail("a weekday range is written 'Mon..Fri'", pos) }
                (rangeStart, rangeOffset) = (number, nameOffset)
                pos += 1
            } else if next == "," {
                rangeStart = -1
                pos += 1
            }
            if char(pos) == nil || char(pos) == " " {
                guard rangeStart < 0 else { throw fail("weekday range has no end", rangeOffset) }
                return skipSpaces(pos)
            }
            first = false
        }
    }

    // MARK: - Numbers and fields

    /// A decimal value; for seconds, in microseconds with up to six fractional digits (rounded on the seventh).
    private func parseDecimal(at start: Int, microseconds: Bool) throws(ScheduleSyntaxError) -> (Int, Int) {
        guard let c = char(start), c.isASCII, c.isNumber else {
            throw fail("expected a number", start)
        }
        var pos = start
        var value = 0
        while let c = char(pos), c.isASCII, let digit = c.wholeNumberValue {
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(digit)
            guard !o1, !o2 else { throw fail("number too large", start) }
            value = sum
            pos += 1
        }
        if microseconds {
            let (scaled, overflow) = value.multipliedReportingOverflow(by: CalendarSpec.microsPerSecond)
            guard !overflow else { throw fail("number too large", start) }
            value = scaled
            if char(pos) == ".", char(pos + 1) != "." {
                pos += 1
                var fraction = 0
                var digits = 0
                while digits < 6 {
                    guard let c = char(pos), c.isASCII, let digit = c.wholeNumberValue else {
                        guard digits > 0 else { throw fail("expected digits after the decimal point", pos) }
                        break
                    }
                    fraction = fraction * 10 + digit
                    digits += 1
                    pos += 1
                }
                for _ in digits..<6 { fraction *= 10 }
                if let c = char(pos), c.isASCII, let digit = c.wholeNumberValue, digit >= 5 {
                    fraction += 1
                }
                while let c = char(pos), c.isASCII, c.isNumber { pos += 1 }
                value += fraction
            }
        }
        guard value <= Int(Int32.max) else { throw fail("number too large", start) }
        return (value, pos)
    }

    /// A field: `*` or a comma list of `A`, `A..B`, `A/S`, `A..B/S`.
    private func parseChain(at start: Int, microseconds: Bool) throws(ScheduleSyntaxError) -> (CalendarChain?, Int) {
        if char(start) == "*" {
            let any = microseconds ? [CalendarComponent(start: 0, repeat: CalendarSpec.microsPerSecond)] : nil
            return (any, start + 1)
        }
        var chain: CalendarChain = []
        var pos = start
        while true {
            guard chain.count <= 240 else { throw fail("too many values in one field", start) }
            let itemStart = pos
            var (value, next) = try parseDecimal(at: pos, microseconds: microseconds)
            var component = CalendarComponent(start: value)
            pos = next
            if char(pos) == ".", char(pos + 1) == "." {
                (value, next) = try parseDecimal(at: pos + 2, microseconds: microseconds)
                component.stop = value
                component.repeat = microseconds ? CalendarSpec.microsPerSecond : 1
                pos = next
            }
            if char(pos) == "/" {
                (value, next) = try parseDecimal(at: pos + 1, microseconds: microseconds)
                guard value > 0 else { throw fail("repetition must be greater than 0", pos + 1) }
                component.repeat = value
                pos = next
            } else if microseconds && component.stop >= 0 && component.start + component.repeat > component.stop {
                throw fail("a seconds range without '/' must span at least one second", itemStart)
            }
            guard [nil, " ", ",", "-", "~", ":"].contains(char(pos)) else {
                throw fail("unexpected character in a field", pos)
            }
            chain.append(component)
            guard char(pos) == "," else { return (chain, pos) }
            pos += 1
        }
    }

    // MARK: - Date and time

    /// Parses `[[YEAR-]MONTH-DAY]` (or `~` for days from the month's end) or `@UNIXSECONDS`.
    private mutating func parseDate(at start: Int) throws(ScheduleSyntaxError) -> (position: Int, timestampEnd: Int?) {
        guard char(start) != nil else { return (start, nil) }
        if char(start) == "@" {
            return (start, try parseTimestamp(at: start + 1))
        }
        let (first, afterFirst) = try parseChain(at: start, microseconds: false)
        if char(afterFirst) == nil || char(afterFirst) == ":" {
            return (start, nil)
        }
        try expectDateSeparator(at: afterFirst)
        let secondStart = afterFirst + 1
        let (second, afterSecond) = try parseChain(at: secondStart, microseconds: false)
        if char(afterSecond) == nil || char(afterSecond) == " " {
            (spec.month, spec.day) = (first, second)
            (fieldOffsets[.month], fieldOffsets[.day]) = (start, secondStart)
            return (skipSpaces(afterSecond), nil)
        }
        if spec.endOfMonth {
            throw fail("'~' may only stand between month and day", afterFirst)
        }
        try expectDateSeparator(at: afterSecond)
        let thirdStart = afterSecond + 1
        let (third, afterThird) = try parseChain(at: thirdStart, microseconds: false)
        guard char(afterThird) == nil || char(afterThird) == " " else {
            throw fail("expected a space after the date", afterThird)
        }
        (spec.year, spec.month, spec.day) = (first, second, third)
        (fieldOffsets[.year], fieldOffsets[.month], fieldOffsets[.day]) = (start, secondStart, thirdStart)
        return (skipSpaces(afterThird), nil)
    }

    private mutating func expectDateSeparator(at pos: Int) throws(ScheduleSyntaxError) {
        switch char(pos) {
        case "~": spec.endOfMonth = true
        case "-": break
        default: throw fail("expected '-' or '~' between date fields, or ':' in a time", pos)
        }
    }

    /// `@SECONDS`: one UTC instant, with no time part after it.
    private mutating func parseTimestamp(at start: Int) throws(ScheduleSyntaxError) -> Int {
        var pos = start
        var value: Int64 = 0
        while let c = char(pos), c.isASCII, let digit = c.wholeNumberValue {
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(Int64(digit))
            guard !o1, !o2, sum <= CivilTime.maxInstant else { throw fail("timestamp too large", start) }
            value = sum
            pos += 1
        }
        guard pos > start else { throw fail("expected Unix seconds after '@'", start) }
        let days = CivilTime.floorDiv(value, 86_400)
        let date = CivilTime.date(days: days)
        let secondOfDay = Int(value - days * 86_400)
        spec.utc = true
        spec.year = [CalendarComponent(start: Int(date.year))]
        spec.month = [CalendarComponent(start: date.month)]
        spec.day = [CalendarComponent(start: date.day)]
        spec.hour = [CalendarComponent(start: secondOfDay / 3600)]
        spec.minute = [CalendarComponent(start: secondOfDay / 60 % 60)]
        spec.microsecond = [CalendarComponent(start: secondOfDay % 60 * CalendarSpec.microsPerSecond)]
        for field in [CalendarField.year, .month, .day, .hour, .minute, .second] {
            fieldOffsets[field] = start - 1
        }
        return pos
    }

    /// Parses `HOUR:MINUTE[:SECOND]`; nothing at all means midnight.
    private mutating func parseTime(at start: Int) throws(ScheduleSyntaxError) -> Int {
        let zero = [CalendarComponent(start: 0)]
        guard char(start) != nil else {
            (spec.hour, spec.minute, spec.microsecond) = (zero, zero, zero)
            return start
        }
        let (hour, afterHour) = try parseChain(at: start, microseconds: false)
        guard char(afterHour) == ":" else { throw fail("expected ':' after the hour", afterHour) }
        let (minute, afterMinute) = try parseChain(at: afterHour + 1, microseconds: false)
        (spec.hour, spec.minute) = (hour, minute)
        (fieldOffsets[.hour], fieldOffsets[.minute]) = (start, afterHour + 1)
        guard char(afterMinute) != nil else {
            spec.microsecond = zero
            return afterMinute
        }
        guard char(afterMinute) == ":" else { throw fail("expected ':' after the minute", afterMinute) }
        let (second, afterSecond) = try parseChain(at: afterMinute + 1, microseconds: true)
        spec.microsecond = second
        fieldOffsets[.second] = afterMinute + 1
        guard char(afterSecond) == nil else { throw fail("unexpected text after the seconds", afterSecond) }
        return afterSecond
    }
}
