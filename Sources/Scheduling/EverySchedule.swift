/// A fixed interval anchored at the Unix epoch: slots are `offset + k * interval` for every
/// integer k, so restarts and replicas agree without sharing state.
package struct EverySchedule: Schedule, Equatable {
    /// Whole seconds, at least 1.
    package let intervalSeconds: Int64
    /// Whole seconds, 0 <= offset < interval.
    package let offsetSeconds: Int64

    /// Fails (offset 0) when the interval is not a whole number of seconds of at least 1s, or the
    /// offset is not a whole number of seconds in 0 ..< interval.
    package init(interval: Duration, offset: Duration = .zero) throws(ScheduleSyntaxError) {
        guard let i = Self.wholeSeconds(interval), i >= 1 else {
            throw ScheduleSyntaxError(message: "interval must be a whole number of seconds, at least 1s", offset: 0)
        }
        guard let o = Self.wholeSeconds(offset), o >= 0, o < i else {
            throw ScheduleSyntaxError(message: "offset must be a whole number of seconds from 0 up to, not including, the interval (\(DurationFormatter.format(interval)))", offset: 0)
        }
        intervalSeconds = i
        offsetSeconds = o
    }

    static func wholeSeconds(_ d: Duration) -> Int64? {
        let c = d.components
        return c.attoseconds == 0 ? c.seconds : nil
    }

    package func nextSlot(after: Int64) -> Int64? {
        guard after < CivilTime.maxInstant, after > CivilTime.minInstant else { return nil }
        let k = CivilTime.floorDiv(after - offsetSeconds, intervalSeconds) + 1
        let (product, overflow) = k.multipliedReportingOverflow(by: intervalSeconds)
        if overflow { return nil }
        let (slot, overflow2) = product.addingReportingOverflow(offsetSeconds)
        return overflow2 ? nil : slot
    }
}
