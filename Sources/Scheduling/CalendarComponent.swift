/// One element of a field of a calendar expression, as systemd's calendarspec models it:
/// a value, an optional inclusive upper bound and an optional repetition step.
///
/// `*:*:1..5/2` has a seconds field with start 1 s, stop 5 s, repeat 2 s. Seconds are stored in
/// microseconds, every other field in its own unit. `stop == -1` means no range; `repeat == 0`
/// means no repetition.
struct CalendarComponent: Sendable, Equatable, Comparable {
    var start: Int
    var stop: Int
    var `repeat`: Int

    init(start: Int, stop: Int = -1, repeat: Int = 0) {
        self.start = start
        self.stop = stop
        self.repeat = `repeat`
    }

    static func < (a: CalendarComponent, b: CalendarComponent) -> Bool {
        (a.start, a.stop, a.repeat) < (b.start, b.stop, b.repeat)
    }
}

/// A whole field: nil matches every value (`*`), otherwise the union of its components.
typealias CalendarChain = [CalendarComponent]

enum CalendarChainRules {
    /// systemd trims a range to a multiple of its step, drops steps that never fire and
    /// ranges of one value, then sorts and de-duplicates the list; the normalized form shows this.
    static func normalize(_ chain: CalendarChain?) -> CalendarChain? {
        guard var chain else { return nil }
        for i in chain.indices {
            var c = chain[i]
            if c.stop > c.start && c.repeat > 0 {
                c.stop -= (c.stop - c.start) % c.repeat
            }
            if (c.stop > c.start && c.repeat > 0 && c.start + c.repeat > c.stop) || c.start == c.stop {
                c.repeat = 0
                c.stop = -1
            }
            chain[i] = c
        }
        guard chain.count > 1 else { return chain }
        var sorted = chain.sorted()
        var unique: CalendarChain = []
        for c in sorted where unique.last != c {
            unique.append(c)
        }
        sorted = unique
        return sorted
    }

    /// Whether every component fits `from...to` and can fire at least once. For days counted
    /// from the month's end (`~`), values are "N-th last day": systemd lowers the upper bound
    /// by 3 for each element of the list in turn (28 for the first, 25 for the second, ...),
    /// so `*~04,28` is rejected while `*~25,04` is not; we accept exactly the same.
    static func isValid(_ chain: CalendarChain?, from: Int, to: Int, endOfMonth: Bool = false) -> Bool {
        guard let chain else { return true }
        var to = to
        for c in chain {
            if endOfMonth { to -= 3 }
            if c.start < from || c.start > to { return false }
            if c.repeat > to - from { return false }
            if c.stop >= 0 {
                if c.stop < from || c.stop > to { return false }
                if c.start + c.repeat > c.stop { return false }
            } else if endOfMonth {
                if c.start - c.repeat < from { return false }
            } else if c.start + c.repeat > to {
                return false
            }
        }
        return true
    }

    /// systemd's text for a field: zero-padded to `width`, seconds with six fractional digits
    /// when they have a fraction.
    static func format(_ chain: CalendarChain?, width: Int, microseconds: Bool) -> String {
        guard let chain else { return "*" }
        let unit = microseconds ? 1_000_000 : 1
        // systemd 252 prints the seconds as `*` whenever `0/1` (every whole second) is in the
        // list, even beside other values (`0/1,30.5` -> `*`, which still fires at 30.5), but
        // not for a range such as `0..2`.
        if microseconds, chain.contains(where: { $0.start == 0 && $0.stop < 0 && $0.repeat == unit }) {
            return "*"
        }
        return chain.map { c in
            var text = padded(c.start / unit, width) + fraction(c.start % unit)
            if c.stop > 0 {
                text += ".." + padded(c.stop / unit, width)
            }
            text += fraction(c.stop % unit)
            if c.repeat > 0 && !(c.stop > 0 && c.repeat == unit) {
                // `c.repeat / unit` reads as a regex literal to swift-format's parser.
                let step = c.repeat
                text += "/" + String(step / unit)
            }
            text += fraction(c.repeat % unit)
            return text
        }.joined(separator: ",")
    }

    private static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    private static func fraction(_ micro: Int) -> String {
        guard micro > 0 else { return "" }
        return "." + padded(micro, 6)
    }
}
