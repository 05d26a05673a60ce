/// systemd 252's search for the next elapse of a calendar spec (`find_next()` in calendarspec.c),
/// restated over `CalendarTime`: walk the fields from year to second, raise each to its next
/// matching value, let `mktime` normalize, and start over whenever normalization moved the
/// time (a month without day 31, a DST gap). Following its steps, quirks included, is what
/// makes the results agree with systemd's, DST and `~` days in particular.
struct CalendarNextElapse {
    let spec: CalendarSpec
    var clock: CalendarClock

    private static let micros = CalendarSpec.microsPerSecond
    /// systemd gives up after this many restarts of the field walk.
    private static let maxIterations = 1000
    /// `USEC_TIMESTAMP_FORMATTABLE_MAX`: 9999-12-31 23:59:59.999999 UTC.
    private static let maxMicroseconds: Int64 = 253_402_300_799_999_999

    /// The first elapse strictly after `base` (Unix microseconds), or nil if none.
    mutating func next(afterMicroseconds base: Int64) -> Int64? {
        guard base >= -1, base <= Self.maxMicroseconds else { return nil }
        let start = base + 1
        let seconds = start / Int64(Self.micros)
        var tm = clock.breakDown(seconds)
        var usec = Int(start % Int64(Self.micros))
        guard findNext(&tm, &usec), let t = clock.normalize(&tm) else { return nil }
        return t * Int64(Self.micros) + Int64(usec)
    }

    /// Outcome of `tm_within_bounds()`: the fields were already normal, were moved forward
    /// (and the walk must restart), or cannot be used.
    private enum Bounds { case unchanged, moved, invalid }

    private mutating func withinBounds(_ tm: inout CalendarTime) -> Bounds {
        guard tm.year <= CalendarSpec.maxYear else { return .invalid }
        var t = tm
        guard clock.normalize(&t) != nil else { return .invalid }
        // The first field that changed decides; the next finer one restarts from its minimum,
        // since normalization (3-33 -> 4-2) may have skipped candidates.
        var order: Int
        if t.year != tm.year {
            order = t.year < tm.year ? -1 : 1
            t.month = 0
        } else if t.month != tm.month {
            order = t.month < tm.month ? -1 : 1
            t.day = 1
        } else if t.day != tm.day {
            order = t.day < tm.day ? -1 : 1
            t.hour = 0
        } else if t.hour != tm.hour {
            order = t.hour < tm.hour ? -1 : 1
            t.minute = 0
        } else if t.minute != tm.minute {
            order = t.minute < tm.minute ? -1 : 1
            t.second = 0
        } else {
            order = t.second == tm.second ? 0 : (t.second < tm.second ? -1 : 1)
        }
        if order < 0 { return .invalid }
        if order > 0 {
            // The moved time keeps the DST flag of the normalized one, as systemd's copy of the
            // struct tm does; the next `mktime` may then move it (even backward).
            tm = t
            return .moved
        }
        return .unchanged
    }

    /// The day of month that is `day`-th from the month's end (1 = last day), or -1.
    private mutating func endOfMonthDay(_ tm: CalendarTime, _ day: Int) -> Int {
        var t = tm
        t.month += 1
        t.day = 1 - day
        guard clock.normalize(&t) != nil, t.month == tm.month else { return -1 }
        return t.day
    }

    /// Raises `value` to the earliest match of `chain` at or after it. nil: no match left
    /// (the caller moves to the next coarser unit); true: the value changed.
    private mutating func match(_ chain: CalendarChain?, _ tm: CalendarTime, _ value: inout Int, isDay: Bool = false) -> Bool? {
        guard let chain else { return false }
        let endOfMonth = spec.endOfMonth && isDay
        var best: Int?
        for c in chain {
            var start = c.start
            var stop = c.stop
            if endOfMonth {
                start = endOfMonthDay(tm, c.start)
                stop = endOfMonthDay(tm, c.stop)
                if stop > 0 { swap(&start, &stop) }
            }
            if start >= value {
                if best.map({ start < $0 }) ?? true { best = start }
            } else if c.repeat > 0 {
                let k = start + c.repeat * ((value - start + c.repeat - 1) / c.repeat)
                if (best.map({ k < $0 }) ?? true) && (stop < 0 || k <= stop) { best = k }
            }
        }
        guard let best else { return nil }
        defer { value = best }
        return value != best
    }

    private mutating func matchesWeekday(_ tm: CalendarTime) -> Bool {
        guard spec.weekdays > 0 && spec.weekdays < 127 else { return true }
        var t = tm
        guard clock.normalize(&t) != nil else { return false }
        let k = t.weekday == 0 ? 6 : t.weekday - 1
        return spec.weekdays & (1 << k) != 0
    }

    private mutating func findNext(_ tm: inout CalendarTime, _ usec: inout Int) -> Bool {
        var c = tm
        var micro = usec
        for _ in 0..<Self.maxIterations {
            _ = clock.normalize(&c)
            c.isDST = -1

            var changed = match(spec.year, c, &c.year)
            guard let yearChanged = changed else { return false }
            if yearChanged { (c.month, c.day, c.hour, c.minute, c.second, micro) = (0, 1, 0, 0, 0, 0) }
            guard withinBounds(&c) == .unchanged else { return false }

            c.month += 1
            changed = match(spec.month, c, &c.month)
            c.month -= 1
            if changed == true { (c.day, c.hour, c.minute, c.second, micro) = (1, 0, 0, 0, 0) }
            var bounds = changed == nil ? .invalid : withinBounds(&c)
            if bounds == .invalid {
                c.year += 1
                (c.month, c.day, c.hour, c.minute, c.second, micro) = (0, 1, 0, 0, 0, 0)
                continue
            }
            if bounds == .moved { continue }

            changed = match(spec.day, c, &c.day, isDay: true)
            if changed == true { (c.hour, c.minute, c.second, micro) = (0, 0, 0, 0) }
            bounds = changed == nil ? .invalid : withinBounds(&c)
            if bounds == .invalid {
                c.month += 1
                (c.day, c.hour, c.minute, c.second, micro) = (1, 0, 0, 0, 0)
                continue
            }
            if bounds == .moved { continue }

            if !matchesWeekday(c) {
                c.day += 1
                (c.hour, c.minute, c.second, micro) = (0, 0, 0, 0)
                continue
            }

            changed = match(spec.hour, c, &c.hour)
            if changed == true { (c.minute, c.second, micro) = (0, 0, 0) }
            bounds = changed == nil ? .invalid : withinBounds(&c)
            if bounds == .invalid {
                c.day += 1
                (c.hour, c.minute, c.second, micro) = (0, 0, 0, 0)
                continue
            }
            if bounds == .moved { continue }

            changed = match(spec.minute, c, &c.minute)
            if changed == true { (c.second, micro) = (0, 0) }
            bounds = changed == nil ? .invalid : withinBounds(&c)
            if bounds == .invalid {
                c.hour += 1
                (c.minute, c.second, micro) = (0, 0, 0)
                continue
            }
            if bounds == .moved { continue }

            c.second = c.second * Self.micros + micro
            changed = match(spec.microsecond, c, &c.second)
            micro = c.second % Self.micros
            c.second /= Self.micros
            bounds = changed == nil ? .invalid : withinBounds(&c)
            if bounds == .invalid {
                c.minute += 1
                (c.second, micro) = (0, 0)
                continue
            }
            if bounds == .moved { continue }

            tm = c
            usec = micro
            return true
        }
        return false
    }
}
