@preconcurrency import Dispatch
import Foundation
import Synchronization

/// The clock the scheduler's executor runs on: the wall clock, and one re-armable timer.
package protocol SchedulerClock: Sendable {
    /// Wall-clock Unix milliseconds.
    func nowMs() -> Int64
    /// A timer that calls `fire` when an armed wall-clock time is reached. Re-arming replaces the
    /// previous time. `fire` may be called early or more than once: the scheduler re-reads the
    /// clock on every tick, which is also how it notices a clock step or a suspend.
    func makeTimer(_ fire: @escaping @Sendable () -> Void) -> any SchedulerTimer
}

package protocol SchedulerTimer: Sendable {
    func arm(atMs: Int64)
    func cancel()
}

/// Production clock: two strict Dispatch timers created and resumed once, then only re-armed
/// (never a source released while suspended, which libdispatch traps on). One follows the wall
/// clock (`DispatchWallTime`: a clock stepped forward or a resume from suspend fires it at the
/// right time of day); the other counts the same wait on the monotonic clock, so a clock stepped
/// back does not delay the next look (and the watchdog) until the wall clock catches up.
package struct DispatchWallClock: SchedulerClock {
    package init() {}

    package func nowMs() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    package func makeTimer(_ fire: @escaping @Sendable () -> Void) -> any SchedulerTimer {
        DispatchSchedulerTimer(clock: self, fire: fire)
    }
}

final class DispatchSchedulerTimer: SchedulerTimer {
    private let wall: any DispatchSourceTimer
    private let monotonic: any DispatchSourceTimer
    private let clock: DispatchWallClock
    private let cancelled = Mutex(false)

    init(clock: DispatchWallClock, fire: @escaping @Sendable () -> Void) {
        self.clock = clock
        let queue = DispatchQueue(label: "appflowd.timer", qos: .userInitiated)
        wall = DispatchSource.makeTimerSource(flags: .strict, queue: queue)
        monotonic = DispatchSource.makeTimerSource(flags: .strict, queue: queue)
        for source in [wall, monotonic] {
            source.setEventHandler(handler: fire)
            source.schedule(deadline: .distantFuture, repeating: .never, leeway: .nanoseconds(0))
            source.resume()
        }
    }

    func arm(atMs: Int64) {
        guard !cancelled.withLock({ $0 }) else { return }
        let wallDeadline = DispatchWallTime(timespec: timespec(tv_sec: Int(atMs / 1000), tv_nsec: Int((atMs % 1000) * 1_000_000)))
        wall.schedule(wallDeadline: wallDeadline, repeating: .never, leeway: .nanoseconds(0))
        let waitMs = max(0, atMs - clock.nowMs())
        monotonic.schedule(deadline: .now() + .milliseconds(Int(min(waitMs, Int64(Int32.max)))) + .microseconds(500),
                           repeating: .never, leeway: .nanoseconds(0))
    }

    func cancel() {
        let first = cancelled.withLock { done -> Bool in
            defer { done = true }
            return !done
        }
        guard first else { return }
        wall.cancel()
        monotonic.cancel()
    }

    deinit {
        cancel()
    }
}
