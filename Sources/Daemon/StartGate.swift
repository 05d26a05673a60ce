import HeapModule
import Synchronization

/// Admits StartFlow calls in slot order, at most `maxConcurrency` in flight and at most `rate` a
/// second (all jobs together). A burst of thousands of due slots is started in slot order, none
/// skipped: the loop registers each slot's ticket, in order, before the slot's task runs, and the
/// gate admits only the smallest registered ticket, waiting for its task if it is not there yet.
package final class StartGate: Sendable {
    package struct Ticket: Comparable, Hashable, Sendable {
        var fireMs: Int64
        var slot: Int64
        var jobOrder: Int
        var sequence: UInt64
        package static func < (lhs: Ticket, rhs: Ticket) -> Bool {
            (lhs.fireMs, lhs.slot, lhs.jobOrder, lhs.sequence) < (rhs.fireMs, rhs.slot, rhs.jobOrder, rhs.sequence)
        }
    }

    private struct State {
        var registered = Heap<Ticket>()
        var abandoned = Set<Ticket>()
        var waiting: [Ticket: CheckedContinuation<Void, any Error>] = [:]
        var inFlight = 0
        var sequence: UInt64 = 0
        var bucket: TokenBucket?
        var refillScheduled = false
    }

    private let maxConcurrency: Int
    private let state: Mutex<State>
    private let origin = ContinuousClock.now

    /// - Parameter rate: calls a second, or nil for no limit.
    package init(maxConcurrency: Int, rate: Double?) {
        self.maxConcurrency = max(1, maxConcurrency)
        state = Mutex(State(bucket: rate.map { TokenBucket(rate: $0, nowNanos: 0) }))
    }

    package var inFlightCount: Int { state.withLock { $0.inFlight } }

    /// Takes this slot's place in the queue. Call in slot order (the loop does), then `enter`.
    package func register(fireMs: Int64, slot: Int64, jobOrder: Int) -> Ticket {
        state.withLock { state in
            state.sequence += 1
            let ticket = Ticket(fireMs: fireMs, slot: slot, jobOrder: jobOrder, sequence: state.sequence)
            state.registered.insert(ticket)
            return ticket
        }
    }

    /// Waits for the ticket's turn. Throws `CancellationError` (and gives the place up) if the
    /// task is cancelled first.
    package func enter(_ ticket: Ticket) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumptions = state.withLock { state -> [() -> Void] in
                    if Task.isCancelled {
                        state.abandoned.insert(ticket)
                        return [{ continuation.resume(throwing: CancellationError()) }] + pump(&state)
                    }
                    state.waiting[ticket] = continuation
                    return pump(&state)
                }
                resumptions.forEach { $0() }
            }
        } onCancel: {
            abandon(ticket)
        }
    }

    /// Gives up a registered ticket that will never enter (or stops waiting).
    package func abandon(_ ticket: Ticket) {
        let resumptions = state.withLock { state -> [() -> Void] in
            var actions: [() -> Void] = []
            if let waiter = state.waiting.removeValue(forKey: ticket) {
                actions.append { waiter.resume(throwing: CancellationError()) }
            }
            state.abandoned.insert(ticket)
            return actions + pump(&state)
        }
        resumptions.forEach { $0() }
    }

    /// Must follow every successful `enter`.
    package func leave() {
        let resumptions = state.withLock { state -> [() -> Void] in
            state.inFlight -= 1
            return pump(&state)
        }
        resumptions.forEach { $0() }
    }

    private func nowNanos() -> Int64 {
        let elapsed = origin.duration(to: .now)
        return elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
    }

    /// Admits in ticket order; returns the resumptions to run outside the lock.
    private func pump(_ state: inout State) -> [() -> Void] {
        var resumptions: [() -> Void] = []
        while state.inFlight < maxConcurrency, let first = state.registered.min {
            if state.abandoned.remove(first) != nil {
                state.registered.removeMin()
                continue
            }
            guard let continuation = state.waiting[first] else { break }  // its task is not there yet
            if state.bucket != nil, let wait = state.bucket!.take(nowNanos: nowNanos()) {
                if !state.refillScheduled {
                    state.refillScheduled = true
                    resumptions.append { self.scheduleRefill(after: wait) }
                }
                break
            }
            state.registered.removeMin()
            state.waiting[first] = nil
            state.inFlight += 1
            resumptions.append { continuation.resume() }
        }
        return resumptions
    }

    private func scheduleRefill(after wait: Duration) {
        Task {
            try? await Task.sleep(for: wait)
            let resumptions = self.state.withLock { state -> [() -> Void] in
                state.refillScheduled = false
                return self.pump(&state)
            }
            resumptions.forEach { $0() }
        }
    }
}
