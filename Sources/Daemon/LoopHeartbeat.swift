import Synchronization

/// When the scheduling loop last turned, on the monotonic clock: `/healthz` fails when it has
/// not turned for a while (a wedged loop), as the watchdog does for systemd.
package final class LoopHeartbeat: Sendable {
    private let last: Mutex<ContinuousClock.Instant>

    package init() {
        last = Mutex(.now)
    }

    package func beat() {
        last.withLock { $0 = .now }
    }

    /// True when the loop turned within `limit`.
    package func isAlive(within limit: Duration) -> Bool {
        last.withLock { $0.duration(to: .now) <= limit }
    }
}
