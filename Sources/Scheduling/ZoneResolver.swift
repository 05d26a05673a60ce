import Foundation

/// Converts between instants and local wall-clock times in one time zone, with appflowd's rule
/// for local `at` times (and cron's fixed-time jobs) at DST changes: a local time skipped by a
/// change maps to the first instant after the gap; a local time that occurs twice maps to its
/// first occurrence.
package struct ZoneResolver: Sendable {
    package let timeZone: TimeZone

    package init(timeZone: TimeZone) {
        self.timeZone = timeZone
    }

    /// The zone's UTC offset in seconds at an instant.
    package func offset(at instant: Int64) -> Int64 {
        Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant))))
    }

    /// Local seconds (wall clock written as if it were UTC) of an instant.
    package func local(_ instant: Int64) -> Int64 {
        instant + offset(at: instant)
    }

    /// The instant of a local wall-clock time, resolving gaps and overlaps by appflowd's DST rule.
    package func instant(local: Int64) -> Int64 {
        // Offsets a day either side bracket any single transition near this wall time.
        let before = offset(at: local - 86_400)
        let after = offset(at: local + 86_400)
        var best: Int64?
        for candidate in [before, after] {
            let t = local - candidate
            if offset(at: t) == candidate, best.map({ t < $0 }) ?? true {
                best = t
            }
        }
        if let best { return best }
        // In a gap: find the transition instant, which is the first instant after the gap.
        var lo = local - max(before, after)  // before the transition
        var hi = local - min(before, after)  // after the transition
        let target = offset(at: hi)
        if lo >= hi { return hi }
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2
            if offset(at: mid) == target { hi = mid } else { lo = mid }
        }
        return hi
    }

    /// A change of the zone's UTC offset: from `instant` on, `after` applies instead of `before`.
    package struct OffsetChange: Sendable, Equatable {
        package var instant: Int64
        package var before: Int64
        package var after: Int64
    }

    /// The first change of offset strictly after `instant`, or nil when the offset never changes
    /// again. Changes that keep the offset (a new abbreviation, a DST flag swapped with the
    /// standard offset) are skipped: only the wall clock matters here.
    package func nextChange(after instant: Int64) -> OffsetChange? {
        var probe = instant
        // Bounded: a zone has a few changes a year, and no schedule needs more than a few hundred.
        for _ in 0..<64 {
            guard probe < CivilTime.maxInstant,
                  let date = timeZone.nextDaylightSavingTimeTransition(after: Date(timeIntervalSince1970: Double(probe)))
            else { return nil }
            let t = max(Int64(date.timeIntervalSince1970.rounded(.up)), probe + 1)
            let before = offset(at: t - 1)
            let after = offset(at: t)
            if before != after { return OffsetChange(instant: t, before: before, after: after) }
            probe = t
        }
        return nil
    }

    /// The latest change of offset at or before `instant` and after `instant - window`.
    package func lastChange(atOrBefore instant: Int64, within window: Int64) -> OffsetChange? {
        var found: OffsetChange?
        var probe = instant - window
        while let change = nextChange(after: probe), change.instant <= instant {
            found = change
            probe = change.instant
        }
        return found
    }
}
