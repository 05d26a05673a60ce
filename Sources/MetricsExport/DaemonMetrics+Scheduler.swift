import Scheduler

extension DaemonMetrics {
    /// Records what the scheduler reports.
    package func observe(_ event: MetricEvent) {
        switch event {
        case .starts(let flow, let outcome, let count): start(flow: flow, outcome: outcome, count: count)
        case .runs(let flow, let outcome): run(flow: flow, outcome: outcome)
        case .retry(let flow): retry(flow: flow)
        case .error(let operation, let code): error(operation: operation, code: code)
        case .inFlight(let count): inFlight(count)
        case .fireLateness(let milliseconds): fireLateness(milliseconds: milliseconds)
        case .lastSuccess(let job, let seconds): lastSuccess(job: job, at: seconds)
        case .next(let job, let fireMs, let interval): next(job: job, fireMs: fireMs, interval: interval)
        case .forget(let job, let keepLastSuccess): forget(job: job, keepLastSuccess: keepLastSuccess)
        case .jobs(let count): jobs(count)
        }
    }
}
