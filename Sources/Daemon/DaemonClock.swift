@preconcurrency import Dispatch
import Foundation
import Synchronization

/// The wall clock the daemon runs on. Decision logic never reads the time itself: it asks this.
package protocol DaemonClock: Sendable {
    /// Wall-clock Unix milliseconds.
    func nowMs() -> Int64
    /// Suspends until the wall clock reads `wallMs` or later (or throws `CancellationError`).
    /// Callers re-check `nowMs()` after waking: a clock step or a suspend may have moved it.
    func sleep(untilMs wallMs: Int64) async throws
}

extension DaemonClock {
    package func sleep(for duration: Duration) async throws {
        try await sleep(untilMs: nowMs() + max(0, duration.milliseconds))
    }
}

/// Production clock: a strict Dispatch timer on a wall-clock (`DispatchWallTime`) deadline, so a
/// wait toward a time of day follows clock steps and suspends instead of drifting.
package struct DispatchWallClock: DaemonClock {
    package init() {}

    package func nowMs() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    package func sleep(untilMs wallMs: Int64) async throws {
        if wallMs <= nowMs() { return }
        let box = TimerBox()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let timer = DispatchSource.makeTimerSource(flags: .strict, queue: DispatchQueue.global(qos: .userInitiated))
                let deadline = DispatchWallTime(timespec: timespec(tv_sec: Int(wallMs / 1000), tv_nsec: Int((wallMs % 1000) * 1_000_000)))
                timer.schedule(wallDeadline: deadline, repeating: .never, leeway: .nanoseconds(0))
                timer.setEventHandler { box.finish(.success(())) }
                if !box.install(timer: timer, continuation: continuation) {
                    continuation.resume(throwing: CancellationError())
                    return
                }
                timer.resume()
            }
        } onCancel: {
            box.finish(.failure(CancellationError()))
        }
    }

    /// Owns the timer and the continuation; resumes exactly once.
    private final class TimerBox: Sendable {
        private struct State {
            var timer: (any DispatchSourceTimer)?
            var continuation: CheckedContinuation<Void, any Error>?
            var done = false
        }
        private let state = Mutex(State())

        func install(timer: any DispatchSourceTimer, continuation: CheckedContinuation<Void, any Error>) -> Bool {
            state.withLock { state in
                if state.done { return false }
                state.timer = timer
                state.continuation = continuation
                return true
            }
        }

        func finish(_ result: Result<Void, any Error>) {
            let (timer, continuation) = state.withLock { state -> ((any DispatchSourceTimer)?, CheckedContinuation<Void, any Error>?) in
                state.done = true
                defer { state.timer = nil; state.continuation = nil }
                return (state.timer, state.continuation)
            }
            timer?.cancel()
            continuation?.resume(with: result)
        }
    }
}
