/// A schedule is a pure value: it never reads the clock.
package protocol Schedule: Sendable {
    /// The first slot strictly after `after` (Unix seconds, UTC), or nil when the schedule never fires again.
    func nextSlot(after: Int64) -> Int64?
}
