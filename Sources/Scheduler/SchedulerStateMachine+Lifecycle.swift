import HeapModule
import JobFile
import Ledger
import Scheduling

/// Resume after a restart, reload, stop.
extension SchedulerStateMachine {
    /// Slots the ledger left open: sent without an answer (sent again with the token and flow
    /// that were recorded, whatever the job file says now), and runs being waited for.
    mutating func resume(_ ledger: LedgerState, nowMs: Int64) {
        for (name, remembered) in ledger.jobs.sorted(by: { $0.key < $1.key }) {
            guard let (job, order) = jobs[name], job.enabled else { continue }
            for (slotTime, summary) in remembered.unresolved.sorted(by: { $0.key < $1.key }) {
                // Recorded ahead and its fire time still to come: never sent (`restoreAhead`).
                guard Self.mayHaveBeenSent(summary, nowMs: nowMs) else { continue }
                let due = DueSlot(jobName: name, flow: summary.flow ?? remembered.flow, jobOrder: order, slot: slotTime,
                                  token: summary.token, fireMs: Self.fireMs(summary) ?? slotTime * 1000)
                let firstSentMs = Int64((summary.firstSentAt ?? summary.updatedAt) * 1000)
                let machine = SlotStateMachine(retry: job.retry, wait: job.wait, tokenFirstSentMs: firstSentMs,
                                               attempts: max(1, summary.attempts ?? 1), firstAttemptMs: firstSentMs)
                emit(.log(LogEntry(.info, "resuming a slot sent before a restart", [
                    "event": "resuming", "job_name": name, "flow_name": due.flow, "slot": TimeText.rfc3339(seconds: slotTime),
                    "client_token": due.token, "attempt": "\(machine.attempts)",
                ])))
                slots[due.id] = Slot(due: due, target: job.target, machine: machine, phase: .recording, recordDeadlineMs: .max)
                enqueueForAdmission(due.id)
            }
            for (slotTime, summary) in remembered.running where job.wait {
                guard let executionId = summary.executionId else { continue }
                let due = DueSlot(jobName: name, flow: summary.flow ?? remembered.flow, jobOrder: order, slot: slotTime,
                                  token: summary.token, fireMs: slotTime * 1000)
                let firstSentMs = Int64((summary.firstSentAt ?? summary.updatedAt) * 1000)
                let machine = SlotStateMachine(resumingPollOf: executionId, retry: job.retry, tokenFirstSentMs: firstSentMs, attempts: summary.attempts ?? 1)
                slots[due.id] = Slot(due: due, target: job.target, machine: machine, phase: .pollWait(untilMs: nowMs, executionId: executionId), recordDeadlineMs: .max)
                timers.insert(Timer(atMs: nowMs, id: due.id))
                status.running += 1
            }
        }
    }

    // MARK: Reload

    mutating func requestReload() {
        guard !stopping else { return }
        if reloading {
            reloadAgain = true
            return
        }
        reloading = true
        reloadAgain = false
        emit(.notify(.reloading(status: "reloading \(jobFile.path)")))
        emit(.loadJobFile)
    }

    /// Replaces the job table (SIGHUP). Slots already due go on whatever the new file says: a
    /// reload changes which slots will come, never the bookkeeping of those in progress. No job
    /// fires for its past: each job goes on with its first slot that fires after now, and the
    /// newest slot passed over for that is recorded as skipped, so a restart does not run it.
    mutating func reload(_ file: JobFile, nowMs: Int64) {
        // What is due under the old jobs is started under them.
        dispatchDue(nowMs: nowMs)
        let old = Set(jobs.keys)
        jobFile = file
        index(file)
        var resumeAfter: [String: Int64] = [:]
        let at = Double(nowMs) / 1000
        for (order, job) in file.jobs.enumerated() where job.enabled {
            guard let future = SchedulePlanner.firstFuture(job: job, order: order, nowMs: nowMs) else { continue }
            guard let last = decided[job.name] else { continue }
            resumeAfter[job.name] = max(last, future.slot - 1)
            let passed = SchedulePlanner.count(job: job, after: last, before: future.slot)
            if passed.count > 0, let newest = passed.newest {
                let slot = DueSlot(job: job, jobOrder: order, slot: newest)
                let count = passed.atLeast ? "at least \(passed.count)" : "\(passed.count)"
                let reason = "not started: due before the job file was reloaded (a reload never fires a job for its past)"
                enqueueRecord(.skipped(job: job.name, flow: job.flow, slot: newest, token: slot.token, at: at,
                                       message: passed.count == 1 ? reason : "\(count) slots, the newest shown: \(reason)"))
                emit(.log(.slot(.skipped, slot, ["count": count, "reason": reason])))
                decided[job.name] = newest
            }
        }
        planner = SchedulePlanner(jobs: file.jobs, resumeAfter: resumeAfter, nowMs: nowMs)
        // Records written ahead under the old jobs: kept where the new file fires the same slot
        // at the same time with the same token and flow, withdrawn otherwise.
        let previous = ahead
        ahead = [:]
        recordAhead(nowMs: nowMs, previous: previous, reason: "not sent: the job file was reloaded before the slot's fire time")
        if let rate = file.rateLimit {
            if bucket?.rate != rate { bucket = TokenBucket(rate: rate, nowNanos: nowMs * 1_000_000) }
        } else {
            bucket = nil
        }
        status.jobs = file.jobs.count
        status.enabledJobs = file.jobs.filter(\.enabled).count
        status.reloadProblem = nil
        let removed = old.subtracting(jobs.keys)
        emit(.log(LogEntry(.notice, "job file reloaded", ["event": "reloaded", "jobs": "\(status.enabledJobs)", "removed": removed.sorted().joined(separator: ",")])))
        logScheduled(nowMs: nowMs)
        for name in removed { emit(.metric(.forget(job: name, keepLastSuccess: false))) }
        publishJobMetrics(nowMs: nowMs)
        updateNext()
        emit(.notify(.ready(status: status.text)))
        lastStatusText = status.text
        lastStatusSentMs = nowMs
    }

    mutating func reloadFailed(_ problem: String) {
        status.reloadProblem = problem
        emit(.log(LogEntry(.error, "job file reload failed; keeping the old jobs", ["event": "reload-failed", "error": problem])))
        emit(.notify(.ready(status: status.text)))
        lastStatusText = status.text
    }

    // MARK: Stop

    /// No new starts. Calls in flight get the stop grace to answer, and their answers and the
    /// ledger queue are written. Slots not in flight stay open in the ledger (sent again with the
    /// same token on restart) or, if never recorded or only recorded ahead of a fire time not
    /// reached, are found again by catch-up.
    mutating func beginShutdown(nowMs: Int64) {
        guard !stopping else { return }
        stopping = true
        status.stopping = true
        stopDeadlineMs = nowMs + configuration.stopGrace.milliseconds
        emit(.notify(.stopping(status: status.text)))
        emit(.log(LogEntry(.notice, "stopping", ["event": "stopping", "in_flight": "\(inFlight)"])))
        // Slots recorded ahead and not due yet were never sent: withdrawn, so that a restart plans
        // them as usual (the catch-up rule decides, as for any slot not sent).
        withdraw(Array(ahead.values), nowMs: nowMs, reason: "not sent: the daemon stopped before the slot's fire time")
        ahead = [:]
        for (id, slot) in slots {
            switch slot.phase {
            case .sending: continue
            case .backoff: status.retrying -= 1
            default: break
            }
            slots[id] = nil
        }
        // The ledger queue is still written: a `sent` record without an answer is what makes a
        // restart send the slot again with its token.
        queue = Heap()
    }

    mutating func checkStopped(nowMs: Int64) {
        let drained = inFlight == 0 && ledgerWrite == nil && (ledgerQueue.isEmpty || status.ledgerProblem != nil)
        if drained || nowMs >= (stopDeadlineMs ?? .max) {
            if !drained {
                emit(.log(LogEntry(.warning, "stop grace over; calls still in flight are answered after a restart", [
                    "event": "stopping", "in_flight": "\(inFlight)", "unwritten_records": "\(ledgerQueue.count)",
                ])))
            }
            finished = true
            emit(.finish)
        }
    }
}
