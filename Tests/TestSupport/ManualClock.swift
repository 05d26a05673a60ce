import Daemon
import Synchronization

/// A wall clock the test moves by hand, with the scheduler's re-armable timers. Race-free: a
/// timer armed at or before the present fires at once, `advance(to:)` fires every timer it
/// passes, and `waitForArms(_:)` lets a test wait (without sleeping) until the executor has armed
/// its timer N times, i.e. has finished handling what came before.
package final class ManualClock: SchedulerClock {
    private struct Timer {
        var atMs: Int64?
        var fire: @Sendable () -> Void
    }

    private struct Waiter {
        var id: UInt64
        var count: Int
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Int64
        var timers: [UInt64: Timer] = [:]
        var nextId: UInt64 = 0
        var arms = 0
        var waiters: [Waiter] = []
    }

    private let state: Mutex<State>

    package init(nowMs: Int64) { state = Mutex(State(now: nowMs)) }

    package func nowMs() -> Int64 { state.withLock { $0.now } }

    /// How many times any timer was armed so far.
    package var armCount: Int { state.withLock { $0.arms } }

    /// The earliest armed time, or nil.
    package var nextArmedMs: Int64? { state.withLock { $0.timers.values.compactMap(\.atMs).min() } }

    package func makeTimer(_ fire: @escaping @Sendable () -> Void) -> any SchedulerTimer {
        let id = state.withLock { s -> UInt64 in
            s.nextId += 1
            s.timers[s.nextId] = Timer(atMs: nil, fire: fire)
            return s.nextId
        }
        return ManualTimer(clock: self, id: id)
    }

    fileprivate func arm(_ id: UInt64, atMs: Int64) {
        let (fire, resumed) = state.withLock { s -> ((@Sendable () -> Void)?, [Waiter]) in
            guard var timer = s.timers[id] else { return (nil, []) }
            s.arms += 1
            let due = atMs <= s.now
            timer.atMs = due ? nil : atMs
            s.timers[id] = timer
            let ready = s.waiters.filter { $0.count <= s.arms }
            s.waiters.removeAll { $0.count <= s.arms }
            return (due ? timer.fire : nil, ready)
        }
        fire?()
        for waiter in resumed { waiter.continuation.resume() }
    }

    fileprivate func cancel(_ id: UInt64) {
        _ = state.withLock { $0.timers.removeValue(forKey: id) }
    }

    /// Sets the clock (forward or back) and fires every timer whose time has come.
    package func advance(to nowMs: Int64) {
        let due = state.withLock { s -> [@Sendable () -> Void] in
            s.now = nowMs
            var fires: [@Sendable () -> Void] = []
            for (id, timer) in s.timers {
                if let at = timer.atMs, at <= nowMs {
                    s.timers[id]?.atMs = nil
                    fires.append(timer.fire)
                }
            }
            return fires
        }
        for fire in due { fire() }
    }

    /// Returns once timers were armed at least `count` times in all. Throws `CancellationError`
    /// when the task is cancelled, also when that happened before the wait began.
    package func waitForArms(_ count: Int) async throws {
        let id = state.withLock { s -> UInt64 in
            s.nextId += 1
            return s.nextId
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome = state.withLock { s -> Result<Void, any Error>? in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if s.arms >= count { return .success(()) }
                    s.waiters.append(Waiter(id: id, count: count, continuation: continuation))
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let waiter = state.withLock { s -> Waiter? in
                guard let index = s.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return s.waiters.remove(at: index)
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }
}

private struct ManualTimer: SchedulerTimer {
    let clock: ManualClock
    let id: UInt64
    func arm(atMs: Int64) { clock.arm(id, atMs: atMs) }
    func cancel() { clock.cancel(id) }
}
