import Synchronization

/// When the scheduling loop last went round, for `/healthz`: the loop beats it on every pass,
/// the metrics listener reads it. Like systemd's watchdog, it proves the loop itself is alive,
/// not merely that some thread answers HTTP.
///
/// Times are `ContinuousClock` instants (monotonic): a wall-clock step neither fakes progress
/// nor fails the check.
package final class LoopHeartbeat: Sendable {
    private let lastBeat: Mutex<ContinuousClock.Instant?>

    /// A heartbeat that has not beaten yet: not alive until the loop's first pass.
    package init() {
        lastBeat = Mutex(nil)
    }

    /// Records a pass of the loop at `now`.
    package func beat(at now: ContinuousClock.Instant = .now) {
        lastBeat.withLock { last in
            // Never backwards: two beats racing keep the later one.
            if let previous = last, previous > now { return }
            last = now
        }
    }

    /// The last beat, or nil before the first.
    package var last: ContinuousClock.Instant? {
        lastBeat.withLock { $0 }
    }

    /// Whether the loop beat within `window` before `now`.
    package func isAlive(now: ContinuousClock.Instant = .now, within window: Duration) -> Bool {
        guard let last else { return false }
        return now - last <= window
    }
}
