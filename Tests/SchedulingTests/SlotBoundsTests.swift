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
        #expect(SlotBounds(end: Int64.max).jitterMilliseconds(slot: 10, jitterMilliseconds: 500) == 500)
    }

    /// A slot closer to `end` than the jitter gets a narrower jitter, so it fires at `end` at the
    /// latest; other slots keep the job's jitter, and `start` changes nothing (jitter only delays).
    @Test(arguments: [
        (Int64(100), Int64(30_000), Int64(30_000)),
        (Int64(110), Int64(30_000), Int64(30_000)),  // 30 s left: the whole jitter fits
        (Int64(120), Int64(30_000), Int64(20_001)),
        (Int64(139), Int64(30_000), Int64(1_001)),
        (Int64(140), Int64(30_000), Int64(1)),  // the slot at end fires at end
        (Int64(130), Int64(0), Int64(0)),
        (Int64(130), Int64(1_500), Int64(1_500)),
    ])
    func jitterNarrowsNearEnd(slot: Int64, jitter: Int64, window: Int64) {
        let bounds = SlotBounds(start: 100, end: 140)
        #expect(bounds.jitterMilliseconds(slot: slot, jitterMilliseconds: jitter) == window)
        #expect(SlotBounds(start: 100).jitterMilliseconds(slot: slot, jitterMilliseconds: jitter) == jitter)
        #expect(SlotBounds(end: Int64.max).jitterMilliseconds(slot: slot, jitterMilliseconds: jitter) == jitter)
        // Whatever the token, the fire time stays inside [slot, end].
        for token in ["a", "b", "c", "d", "e", "f"] {
            let fire = slot * 1000 + Jitter.offsetMilliseconds(token: token, jitterMilliseconds: window)
            #expect(fire >= slot * 1000 && fire <= 140_000)
        }
    }
}
