/// A job's `start` and `end` (SPEC section 2): no slot before `start`, none after `end`. Both
/// bounds are instants in Unix seconds and inclusive: a slot exactly at `start` or at `end` exists.
///
/// Bounds are about the slot (the nominal time the token is made of), not the fire time; jitter
/// only delays, so a slot at or after `start` fires at or after it too. A slot closer to `end` than
/// the job's jitter gets a narrower jitter (``jitterMilliseconds(slot:jitterMilliseconds:)``), its
/// token unchanged, so no slot fires after `end` and none is lost.
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

    /// The jitter a slot gets, in milliseconds: the job's, narrowed for a slot near `end` to
    /// `(end - slot) * 1000 + 1` so that slot plus offset is never after `end`. The offset is then
    /// drawn as SPEC section 3 draws it, modulo this window: deterministic, so replicas agree, and
    /// spread over what is left before `end` (a cap at `end` would put several slots at one
    /// instant, where catch-up would take all but the newest for missed ones).
    package func jitterMilliseconds(slot: Int64, jitterMilliseconds jitter: Int64) -> Int64 {
        guard let end, slot <= end else { return jitter }
        let room = end - slot
        if room > jitter / 1000 { return jitter }
        return min(jitter, room * 1000 + 1)
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
