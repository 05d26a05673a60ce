import Foundation

extension CalendarSchedule {
    /// A day-or-rarer slot that the next forward change of the zone's offset (spring's DST gap)
    /// swallows: systemd does not fire a calendar time that does not exist, so the job skips
    /// that day. Nil when the zone has no forward change within two transitions after `now`,
    /// when the expression fires nowhere in the gap, or fires more often than daily there.
    ///
    /// Found by evaluating the expression with the offset before the change held all year: a
    /// slot it gives inside the gap is one the real zone has not.
    package func daySkippedAtNextChange(after now: Int64) -> SkippedDay? {
        guard let zone = evaluationZone else { return nil }
        var from = Date(timeIntervalSince1970: Double(now))
        for _ in 0..<2 {
            guard let change = zone.nextDaylightSavingTimeTransition(after: from) else { return nil }
            from = change
            let at = Int64(change.timeIntervalSince1970)
            let before = zone.secondsFromGMT(for: change.addingTimeInterval(-1))
            let after = zone.secondsFromGMT(for: change)
            guard after > before, let fixedZone = TimeZone(secondsFromGMT: before) else { continue }
            let fixed = CalendarSchedule(spec: spec, evaluationZone: fixedZone)
            let gap = Int64(after - before)
            guard let lost = fixed.nextSlot(after: at - 1), lost < at + gap else { return nil }
            // Daily or rarer: no other slot within 20 hours either side.
            let window: Int64 = 20 * 3600
            let clearAfter = fixed.nextSlot(after: lost).map { $0 - lost >= window } ?? true
            guard fixed.nextSlot(after: lost - window) == lost, clearAfter else { return nil }
            return SkippedDay(localTime: lost + Int64(before), gapStart: at + Int64(before), gapEnd: at + Int64(after), zone: zone)
        }
        return nil
    }

    /// The slot a forward change swallows, in "local seconds" (`CivilTime`), with the gap.
    package struct SkippedDay: Sendable {
        /// The wall-clock time that does not exist that day.
        package var localTime: Int64
        /// The gap: wall-clock times from `gapStart` up to `gapEnd` (exclusive) do not exist.
        package var gapStart: Int64
        package var gapEnd: Int64
        package var zone: TimeZone
    }

    init(spec: CalendarSpec, evaluationZone: TimeZone?) {
        self.spec = spec
        self.evaluationZone = evaluationZone
    }
}
