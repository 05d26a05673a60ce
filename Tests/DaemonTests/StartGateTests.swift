import Synchronization
import Testing
@testable import Daemon

struct StartGateTests {
    final class Admitted: Sendable {
        let slots = Mutex<[Int]>([])
        var all: [Int] { slots.withLock { $0 } }
    }

    /// Tickets registered in slot order are admitted in that order, whatever order their tasks
    /// arrive in, never more than `maxConcurrency` at once.
    @Test func admitsStrictlyInTicketOrder() async throws {
        let gate = StartGate(maxConcurrency: 3, rate: nil)
        let tickets = (0..<40).map { gate.register(fireMs: 1000, slot: 1, jobOrder: $0) }
        let admitted = Admitted()
        var tasks: [Task<Void, any Error>] = []
        for index in (0..<40).shuffled() {
            tasks.append(Task {
                try await gate.enter(tickets[index])
                admitted.slots.withLock { $0.append(index) }
            })
        }
        for released in 0..<40 {
            try await eventually("admission \(released)") { admitted.all.count == min(40, released + 3) }
            #expect(Set(admitted.all) == Set(0..<min(40, released + 3)), "after \(released) left")
            #expect(gate.inFlightCount <= 3)
            gate.leave()
        }
        for task in tasks { try await task.value }
    }

    @Test func anAbandonedTicketDoesNotBlockTheQueue() async throws {
        let gate = StartGate(maxConcurrency: 1, rate: nil)
        let first = gate.register(fireMs: 1, slot: 1, jobOrder: 0)
        let second = gate.register(fireMs: 1, slot: 1, jobOrder: 1)
        gate.abandon(first)
        try await gate.enter(second)
        #expect(gate.inFlightCount == 1)
        gate.leave()
    }

    @Test func cancellationGivesThePlaceUp() async throws {
        let gate = StartGate(maxConcurrency: 1, rate: nil)
        let holder = gate.register(fireMs: 1, slot: 1, jobOrder: 0)
        try await gate.enter(holder)
        let waiting = Task { try await gate.enter(gate.register(fireMs: 1, slot: 1, jobOrder: 1)) }
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }
        gate.leave()
        let next = gate.register(fireMs: 1, slot: 1, jobOrder: 2)
        try await gate.enter(next)
        gate.leave()
    }

    @Test func rateLimitSpacesAdmissions() async throws {
        // 1000/s with a burst of 1000: the first 1000 pass at once, the next waits for a refill.
        let gate = StartGate(maxConcurrency: 10_000, rate: 1000)
        for i in 0..<1000 {
            let ticket = gate.register(fireMs: 1, slot: 1, jobOrder: i)
            try await gate.enter(ticket)
        }
        #expect(gate.inFlightCount == 1000)
        let late = gate.register(fireMs: 1, slot: 1, jobOrder: 1000)
        try await gate.enter(late)  // admitted after about a millisecond's refill
        #expect(gate.inFlightCount == 1001)
    }
}
