import AppFlow
import Foundation
import JobFile
import Ledger

/// The runtime's side of `DaemonMetrics`: the hooks the loop and the slot tasks call, and the
/// per-job gauges, which follow the job file and the ledger.
extension DaemonRuntime {
    var metrics: DaemonMetrics { deps.metrics }

    /// At READY and after a reload: the job count, each enabled job's next fire time, and its
    /// last success as the ledger remembers it (so the gauge survives a restart). Series of
    /// jobs that were removed are dropped.
    func publishJobMetrics(removed: Set<String> = []) {
        metrics.jobs(status.enabledJobs)
        metrics.inFlight(inFlight.count)
        for name in removed { metrics.forget(job: name) }
        let state = deps.ledger.state()
        let now = deps.clock.nowMs()
        for (order, job) in jobFile.jobs.enumerated() {
            let remembered = state.jobs[job.name]
            if let seconds = Self.lastSuccess(remembered, wait: job.wait) {
                metrics.lastSuccess(job: job.name, at: seconds)
            }
            guard job.enabled else {
                metrics.forget(job: job.name, keepLastSuccess: true)
                continue
            }
            publishNext(job: job, order: order, watermark: remembered?.watermark, nowMs: now)
        }
    }

    /// After a batch was dispatched: the next fire time of each job that had a slot in it.
    func publishNextAfter(_ batch: SchedulePlanner.Batch, nowMs: Int64) {
        var newest: [String: Int64] = [:]
        for slot in batch.due + batch.skipped.map(\.newest) {
            newest[slot.jobName] = max(newest[slot.jobName] ?? slot.slot, slot.slot)
        }
        for (name, slot) in newest {
            guard let (job, order) = jobsByName[name] else { continue }
            publishNext(job: job, order: order, watermark: slot, nowMs: nowMs)
        }
    }

    private func publishNext(job: Job, order: Int, watermark: Int64?, nowMs: Int64) {
        guard let next = StatusReport.nextSlot(job: job, order: order, watermark: watermark, nowMs: nowMs) else {
            metrics.forget(job: job.name, keepLastSuccess: true)
            return
        }
        let interval = job.schedule.nextSlot(after: next.slot).map { $0 - next.slot }
        metrics.next(job: job.name, fireMs: next.fireMs, interval: interval)
    }

    /// When the ledger last saw the job succeed (Unix seconds): a followed run that succeeded
    /// or, for a job that does not wait, a start.
    static func lastSuccess(_ ledger: JobLedger?, wait: Bool) -> Double? {
        guard let ledger else { return nil }
        for summary in ledger.history.reversed() {
            switch summary.outcome {
            case .succeeded?, .activated?: return summary.updatedAt
            case .started? where !wait: return summary.updatedAt
            default: continue
            }
        }
        return nil
    }

    /// Counts a recorded outcome: start outcomes in `appflowd_starts_total`, the ends of followed
    /// runs in `appflowd_runs_total`, successes in the job's last-success gauge.
    func countOutcome(_ outcome: SlotStateMachine.Outcome, for due: DueSlot) {
        let name = outcome.outcome.rawValue
        switch outcome.outcome {
        case .started:
            metrics.start(flow: due.flow, outcome: name)
            if outcome.final { metrics.lastSuccess(job: due.jobName, at: Double(deps.clock.nowMs()) / 1000) }
        case .activated:
            metrics.start(flow: due.flow, outcome: name)
            metrics.lastSuccess(job: due.jobName, at: Double(deps.clock.nowMs()) / 1000)
        case .failed, .skipped:
            metrics.start(flow: due.flow, outcome: name)
        case .outcomeUnknown:
            // With an execution id the start succeeded and only the run's end is unknown.
            if outcome.executionId != nil {
                metrics.run(flow: due.flow, outcome: name)
            } else {
                metrics.start(flow: due.flow, outcome: name)
            }
        case .succeeded:
            metrics.run(flow: due.flow, outcome: name)
            metrics.lastSuccess(job: due.jobName, at: Double(deps.clock.nowMs()) / 1000)
        case .errored, .canceled:
            metrics.run(flow: due.flow, outcome: name)
        }
    }

    /// A StartFlow call has begun (`attempt` counts from 1).
    func startCallBegan(_ due: DueSlot, attempt: Int) {
        metrics.inFlight(inFlight.count)
        if attempt == 1 { metrics.fireLateness(milliseconds: deps.clock.nowMs() - due.fireMs) }
    }

    /// A StartFlow call has ended after `duration`; a failure counts under its error code.
    func startCallEnded(after duration: Duration, _ result: Result<StartFlowResult, any Error>) {
        metrics.inFlight(inFlight.count)
        metrics.startLatency(duration)
        if case .failure(let error) = result {
            metrics.error(operation: "StartFlow", code: GaveUpError(underlying: error, attempts: 0, reason: .notRetryable).code)
        }
    }

    func pollFailedMetric(_ error: any Error) {
        metrics.error(operation: "DescribeFlowExecutionRecords", code: GaveUpError(underlying: error, attempts: 0, reason: .notRetryable).code)
    }

    func ledgerFailedMetric(_ error: any Error) {
        metrics.error(operation: "Ledger", code: (error as? LedgerError)?.code.rawValue ?? "LedgerWriteFailed")
    }
}
