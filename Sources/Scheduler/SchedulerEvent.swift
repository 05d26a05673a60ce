import JobFile

/// What happens to the scheduler: the executor turns timers, answers, signals and the ledger's
/// replies into these and hands them to `SchedulerStateMachine.handle(_:nowMs:)`.
package enum SchedulerEvent: Sendable {
    /// The timer the machine asked for (`sleepUntil`) fired, or the executor wants a fresh look.
    case tick
    /// An `appendLedger` write is durable.
    case ledgerWritten(WriteID)
    /// An `appendLedger` write failed; `fatal` when the ledger accepts no more writes.
    case ledgerFailed(WriteID, message: String, fatal: Bool)
    /// StartFlow answered (or failed to); `random` is a uniform draw in [0, 1) for the backoff.
    case startAnswered(SlotID, Result<StartAnswer, CallFailure>, random: Double)
    /// DescribeFlowExecutionRecords answered: the execution, nil when not listed yet.
    case pollAnswered(SlotID, Result<ExecutionAnswer?, CallFailure>)
    /// SIGHUP.
    case reloadRequested
    /// The job file asked for by `loadJobFile`, read and valid.
    case reloadLoaded(JobFile)
    /// The job file asked for by `loadJobFile` could not be used: the old jobs stay.
    case reloadFailed(String)
    /// What the executor found the daemon runs with, after a reload's job file was read and
    /// before `reloadLoaded`: a note for STATUS= (`SchedulerStatus.setupNote`).
    case setupChecked(String?)
    /// SIGTERM/SIGINT: no new starts; calls in flight get the stop grace.
    case shutdownRequested
}

/// Names one ledger write, so its reply finds its records.
package struct WriteID: Hashable, Sendable, CustomStringConvertible {
    package var value: UInt64
    package init(_ value: UInt64) { self.value = value }
    package var description: String { "write-\(value)" }
}
