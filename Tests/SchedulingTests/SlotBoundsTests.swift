import Testing
@testable import Scheduling

/// `start` and `end` (SPEC section 2): no slot before `start`, none after `end`, both inclusive;
/// jitter never carries a fire time past `end`.
@Suite(.timeLimit(.minutes(1)))
struct SlotBoundsTests {
    static let every10 = try! EverySchedule(interval: .seconds(10))

    func slots(_ schedule: some Schedule, after: Int64, count: Int = 10) -> [Int64] {
        var out: [Int64] = []
        var cursor = after
        while out.count < count, let next = schedule.nextSlot(after: cursor) {
            out.append(next)
            cursor = next
        }
        return out
    }

    @Test func onlySlotsInsideTheBoundsBothInclusive() {
        let bounded = BoundedSchedule(base: Self.every10, bounds: SlotBounds(start: 100, end: 140))
        #expect(slots(bounded, after: 0) == [100, 110, 120, 130, 140])
        #expect(slots(bounded, after: 115) == [120, 130, 140])
        #expect(bounded.nextSlot(after: 140) == nil)
        #expect(bounded.nextSlot(after: 10_000) == nil)
    }

    @Test func boundsBetweenSlotsCutToTheSlotsInside() {
        let bounded = BoundedSchedule(base: Self.every10, bounds: SlotBounds(start: 95, end: 139))
        #expect(slots(bounded, after: -1_000) == [100, 110, 120, 130])
    }

    @Test func oneBoundOnly() {
        #expect(slots(BoundedSchedule(base: Self.every10, bounds: SlotBounds(start: 1_000)), after: 0, count: 2) == [1_000, 1_010])
        #expect(slots(BoundedSchedule(base: Self.every10, bounds: SlotBounds(end: 25)), after: 0) == [10, 20])
        #expect(SlotBounds().isUnbounded && !SlotBounds(end: 1).isUnbounded)
    }

    @Test func noSlotInsideTheBounds() {
        let bounded = BoundedSchedule(base: Self.every10, bounds: SlotBounds(start: 101, end: 109))
        #expect(bounded.nextSlot(after: 0) == nil)
        let at = BoundedSchedule(base: AtSchedule(instants: [50, 500]), bounds: SlotBounds(start: 60, end: 400))
        #expect(at.nextSlot(after: 0) == nil)
    }

    @Test func extremeBoundsDoNotOverflow() {
        let bounded = BoundedSchedule(base: Self.every10, bounds: SlotBounds(start: Int64.min, end: Int64.max))
        #expect(bounded.nextSlot(after: 0) == 10)
        #expect(SlotBounds(end: Int64.max).fireMilliseconds(slot: 10, jitterOffsetMs: 500) == 10_500)
    }

    /// A slot near `end` keeps its token; only its jitter offset is capped so it fires at `end`.
    @Test(arguments: [
        (Int64(130), Int64(4_000), Int64(134_000)),  // fires before end: untouched
        (Int64(130), Int64(10_000), Int64(140_000)),  // would fire at end: the same
        (Int64(130), Int64(29_999), Int64(140_000)),  // would fire after end: at end
        (Int64(140), Int64(1), Int64(140_000)),  // the slot at end fires at end
    ])
    func jitterNeverCarriesAFireTimePastEnd(slot: Int64, offset: Int64, fire: Int64) {
        let bounds = SlotBounds(start: 100, end: 140)
        #expect(bounds.fireMilliseconds(slot: slot, jitterOffsetMs: offset) == fire)
        // At start, jitter only delays: a slot at start fires at or after it.
        #expect(bounds.fireMilliseconds(slot: 100, jitterOffsetMs: offset) == 100_000 + offset)
        #expect(SlotBounds(start: 100).fireMilliseconds(slot: slot, jitterOffsetMs: offset) == slot * 1000 + offset)
    }
}
