import JobFile
import Ledger
import Scheduling

/// STATUS=, WATCHDOG=1, the `scheduled` lines and the per-job gauges.
extension SchedulerStateMachine {
    mutating func updateNext() {
        status.next = planner.nextSlot.map { ($0.jobName, $0.fireMs) }
    }

    /// At most one STATUS= per `statusInterval`: a burst changes the counts thousands of times.
    mutating func refreshStatus(nowMs: Int64) {
        updateNext()
        let text = status.text
        statusFlushAtMs = nil
        guard text != lastStatusText else { return }
        let interval = configuration.statusInterval.milliseconds
        if let last = lastStatusSentMs, nowMs >= last, nowMs - last < interval {
            statusFlushAtMs = last + interval
            return
        }
        lastStatusText = text
        lastStatusSentMs = nowMs
        emit(.notify(.status(text)))
    }

    /// WATCHDOG=1 from the loop itself, once per `watchdogInterval` (half of WatchdogSec, as
    /// sd_watchdog_enabled(3) advises); a clock stepped back counts as time passed.
    mutating func feedWatchdog(nowMs: Int64) {
        guard let interval = configuration.watchdogInterval else { return }
        if let last = lastWatchdogMs, nowMs >= last, nowMs - last < interval.milliseconds { return }
        emit(.notify(.watchdog))
        lastWatchdogMs = nowMs
    }

    /// One `scheduled` line per job; past `scheduledLogLimit` jobs that is noise, and slow.
    mutating func logScheduled(nowMs: Int64) {
        if jobFile.jobs.count > configuration.scheduledLogLimit {
            emit(.log(LogEntry(.info, "jobs scheduled", ["event": "scheduled", "jobs": "\(status.enabledJobs)"])))
            return
        }
        for (order, job) in jobFile.jobs.enumerated() where job.enabled {
            guard let next = SchedulePlanner.firstFuture(job: job, order: order, nowMs: nowMs) else { continue }
            emit(.log(.slot(.scheduled, next, ["fire": TimeText.utc(millis: next.fireMs), "schedule": job.scheduleDescription])))
        }
    }

    /// At READY and after a reload: the job count and each enabled job's next fire time.
    mutating func publishJobMetrics(nowMs: Int64) {
        emit(.metric(.jobs(status.enabledJobs)))
        emit(.metric(.inFlight(inFlight)))
        for job in jobFile.jobs {
            guard job.enabled else {
                emit(.metric(.forget(job: job.name, keepLastSuccess: true)))
                continue
            }
            publishNext(job: job.name, nowMs: nowMs)
        }
    }

    /// The job's next fire time after what was decided.
    mutating func publishNext(job name: String, nowMs: Int64) {
        guard configuration.jobMetrics, let (job, order) = jobs[name], job.enabled else { return }
        var next = SchedulePlanner.firstFuture(job: job, order: order, nowMs: nowMs)
        if let last = decided[name], let candidate = next, candidate.slot <= last {
            next = job.schedule.nextSlot(after: last).map { DueSlot(job: job, jobOrder: order, slot: $0) }
        }
        guard let next else {
            emit(.metric(.forget(job: name, keepLastSuccess: true)))
            return
        }
        let interval = job.schedule.nextSlot(after: next.slot).map { $0 - next.slot }
        emit(.metric(.next(job: name, fireMs: next.fireMs, intervalSeconds: interval)))
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
}
