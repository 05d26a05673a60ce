import Foundation

/// Converts between instants and local wall-clock times in one time zone, with appflowd's rule
/// for DST changes: a local time skipped by a change maps to the first instant after the gap;
/// a local time that occurs twice maps to its first occurrence.
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
}
