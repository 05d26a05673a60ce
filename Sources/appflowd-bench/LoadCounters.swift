import Synchronization

/// Counters shared by every connection of a load run. Relaxed atomics: the totals are read
/// only at the edges of the measuring window, where a request more or less does not matter.
final class LoadCounters: Sendable {
    /// Answers received with status 200.
    let succeeded = Atomic<Int>(0)
    /// Answers received with any other status.
    let failed = Atomic<Int>(0)
    /// Connections closed by the peer or by an error before the run ended.
    let lostConnections = Atomic<Int>(0)
    /// Set when the run ends: connections stop sending and close after their answer.
    let stopping = Atomic<Bool>(false)

    var answered: Int {
        succeeded.load(ordering: .relaxed) + failed.load(ordering: .relaxed)
    }
}
