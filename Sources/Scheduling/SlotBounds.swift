/// A job's `start` and `end` (SPEC section 2): no slot before `start`, none after `end`. Both
/// bounds are instants in Unix seconds and inclusive: a slot exactly at `start` or at `end` exists.
///
/// Bounds are about the slot (the nominal time the token is made of), not the fire time; jitter
/// only delays, so a slot at or after `start` fires at or after it too. A slot near `end` whose
/// jitter would carry its fire time past `end` fires at `end` instead: its offset is capped, its
/// token is the same, so no slot fires after `end` and none is lost.
package struct SlotBounds: Sendable, Equatable {
    package var start: Int64?
    package var end: Int64?

    package init(start: Int64? = nil, end: Int64? = nil) {
        self.start = start
        self.end = end
    }

    package var isUnbounded: Bool { start == nil && end == nil }

    package func contains(_ slot: Int64) -> Bool {
        (start.map { slot >= $0 } ?? true) && (end.map { slot <= $0 } ?? true)
    }

    /// When a slot inside the bounds fires: slot plus its jitter offset, but never after `end`.
    package func fireMilliseconds(slot: Int64, jitterOffsetMs: Int64) -> Int64 {
        let fire = slot * 1000 + jitterOffsetMs
        guard let end, end <= Int64.max / 1000 else { return fire }
        return min(fire, max(slot, end) * 1000)
    }
}

/// A schedule limited to a job's ``SlotBounds``: the same slots, minus those outside.
package struct BoundedSchedule: Schedule {
    package let base: any Schedule
    package let bounds: SlotBounds

    package init(base: any Schedule, bounds: SlotBounds) {
        self.base = base
        self.bounds = bounds
    }

    package func nextSlot(after: Int64) -> Int64? {
        var from = after
        if let start = bounds.start, start != Int64.min { from = max(after, start - 1) }
        if let end = bounds.end, from >= end { return nil }
        guard let slot = base.nextSlot(after: from) else { return nil }
        return bounds.contains(slot) ? slot : nil
    }
}
