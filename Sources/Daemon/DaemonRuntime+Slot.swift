import AppFlow
import Foundation
import JobFile
import Ledger
import Logging

extension DaemonRuntime {
    /// Drives one slot's state machine to its end. Runs on the actor between awaits; the
    /// StartFlow and DescribeFlowExecutionRecords calls themselves run off it.
    func runSlot(_ due: DueSlot, job: Job, machine initial: SlotStateMachine, first: SlotStateMachine.Action?, ticket firstTicket: StartGate.Ticket?) async {
        let id = SlotID(job: due.jobName, slot: due.slot)
        var ticket = firstTicket
        defer {
            if let ticket { gate.abandon(ticket) }
            slotFinished(id)
        }
        var machine = initial
        var action = first ?? machine.fire(nowMs: deps.clock.nowMs())
        while true {
            switch action {
            case .start(let attempt):
                if stopping || Task.isCancelled { return }
                let gate = self.gate
                let place = ticket ?? gate.register(fireMs: due.fireMs, slot: due.slot, jobOrder: jobsByName[due.jobName]?.order ?? 0)
                ticket = place
                do {
                    try await gate.enter(place)
                } catch {
                    return
                }
                ticket = nil
                if stopping {
                    gate.leave()
                    return
                }
                inFlight.insert(id)
                if attempt == 1 {
                    logger.slot(.starting, due, ["attempt": "1", "lateness_ms": "\(deps.clock.nowMs() - due.fireMs)"])
                }
                startCallBegan(due, attempt: attempt)
                let began = ContinuousClock.now
                let result: Result<StartFlowResult, any Error>
                do {
                    result = .success(try await deps.client.startFlow(region: job.region, flowName: due.flow, clientToken: due.token))
                } catch {
                    result = .failure(error)
                }
                gate.leave()
                inFlight.remove(id)
                startCallEnded(after: ContinuousClock.now - began, result)
                switch result {
                case .success(let answer): action = machine.startSucceeded(answer)
                case .failure(let error): action = machine.startFailed(error, nowMs: deps.clock.nowMs(), random: deps.random())
                }

            case .retry(let after, let attempt, let code, let message):
                if stopping || jobsByName[due.jobName] == nil { return }
                logger.slot(.retrying, due, [
                    "attempt": "\(attempt)", "error_code": "\(code)", "error": "\(message)",
                    "retry_in_ms": "\(after.milliseconds)",
                ])
                status.retrying += 1
                metrics.retry(flow: due.flow)
                refreshStatus()
                let slept: Bool
                do {
                    try await deps.clock.sleep(for: after)
                    slept = true
                } catch {
                    slept = false
                }
                status.retrying -= 1
                if !slept || stopping || jobsByName[due.jobName] == nil { return }
                action = machine.retryTimerFired(nowMs: deps.clock.nowMs())

            case .record(let outcome):
                await record(outcome, for: due, id: id)
                guard !outcome.final, let executionId = outcome.executionId else {
                    refreshStatus()
                    return
                }
                refreshStatus()
                action = .poll(after: outcome.pollAfter ?? .seconds(2), executionId: executionId)

            case .poll(let after, let executionId):
                do {
                    try await deps.clock.sleep(for: after)
                } catch {
                    return
                }
                if stopping { return }
                do {
                    let execution = try await deps.client.findExecution(region: job.region, flowName: due.flow, executionId: executionId)
                    action = machine.pollAnswered(execution, nowMs: deps.clock.nowMs())
                } catch {
                    logger.debug("describe-flow-execution-records failed", metadata: ["job_name": "\(due.jobName)", "error": "\(error)"])
                    pollFailedMetric(error)
                    action = machine.pollFailed(nowMs: deps.clock.nowMs())
                }
            }
        }
    }

    /// Writes the outcome to the ledger, logs it and counts it.
    func record(_ outcome: SlotStateMachine.Outcome, for due: DueSlot, id: SlotID) async {
        let record = LedgerRecord(
            kind: .outcome, job: due.jobName, flow: due.flow, slot: due.slot, token: due.token,
            at: Double(deps.clock.nowMs()) / 1000, outcome: outcome.outcome, final: outcome.final,
            executionId: outcome.executionId, flowStatus: outcome.flowStatus, errorCode: outcome.errorCode,
            message: outcome.message, attempts: outcome.attempts, recordsProcessed: outcome.recordsProcessed,
            bytesProcessed: outcome.bytesProcessed, bytesWritten: outcome.bytesWritten
        )
        do {
            try await deps.ledger.append(record)
        } catch {
            logger.error("ledger write failed", metadata: ["job_name": "\(due.jobName)", "error": "\(error)"])
            ledgerFailedMetric(error)
        }
        countOutcome(outcome, for: due)
        var metadata: Logger.Metadata = ["attempt": "\(outcome.attempts)"]
        if let executionId = outcome.executionId { metadata["execution_id"] = "\(executionId)" }
        if let flowStatus = outcome.flowStatus { metadata["flow_status"] = "\(flowStatus)" }
        if let code = outcome.errorCode { metadata["error_code"] = "\(code)" }
        if let message = outcome.message { metadata["error"] = "\(message)" }
        if let records = outcome.recordsProcessed { metadata["records_processed"] = "\(records)" }
        if let bytes = outcome.bytesProcessed { metadata["bytes_processed"] = "\(bytes)" }
        if let bytes = outcome.bytesWritten { metadata["bytes_written"] = "\(bytes)" }
        switch outcome.outcome {
        case .started:
            status.started += 1
            logger.slot(.started, due, metadata)
            if !outcome.final {
                runningByJob[due.jobName, default: []].insert(id)
                status.running += 1
            }
        case .activated:
            status.activated += 1
            logger.slot(.activated, due, metadata)
        case .failed:
            status.failed += 1
            logger.slot(.failed, due, metadata)
        case .skipped:
            status.skipped += 1
            logger.slot(.skipped, due, metadata)
        case .outcomeUnknown:
            status.outcomeUnknown += 1
            logger.slot(.outcomeUnknown, due, metadata)
        case .succeeded, .errored, .canceled:
            logger.slot(outcome.outcome == .succeeded ? .succeeded : .errored, due, metadata)
        }
        if outcome.final, runningByJob[due.jobName]?.remove(id) != nil {
            status.running -= 1
        }
    }

    /// Slots the ledger left open: sent without an answer (re-sent with the same token while it
    /// is young enough), and runs being waited for (followed again).
    func resumeFromLedger() {
        let state = deps.ledger.state()
        let now = deps.clock.nowMs()
        var expired: [LedgerRecord] = []
        for (name, ledger) in state.jobs {
            guard let (job, order) = jobsByName[name], job.enabled else { continue }
            for (slot, summary) in ledger.unresolved.sorted(by: { $0.key < $1.key }) {
                let due = DueSlot(job: job, jobOrder: order, slot: slot)
                let firstSentMs = Int64((summary.firstSentAt ?? summary.updatedAt) * 1000)
                if .milliseconds(now - firstSentMs) >= RetryPolicy.tokenSafeLife {
                    let message = "sent before a restart, never answered, and the token is too old to send again safely"
                    expired.append(LedgerRecord(kind: .outcome, job: name, flow: due.flow, slot: slot, token: due.token,
                                                at: Double(now) / 1000, outcome: .outcomeUnknown, final: true, message: message))
                    logger.slot(.outcomeUnknown, due, ["error": "\(message)"])
                    status.outcomeUnknown += 1
                    continue
                }
                logger.info("resuming a slot sent before a restart", metadata: ["event": "starting", "job_name": "\(name)", "slot": "\(RFC3339UTC.format(seconds: slot))"])
                let machine = SlotStateMachine(policy: Self.policy(job.retry), wait: job.wait, tokenFirstSentMs: firstSentMs)
                launch(due, job: job, machine: machine, first: nil, ticket: gate.register(fireMs: due.fireMs, slot: due.slot, jobOrder: order))
            }
            for (slot, summary) in ledger.running where job.wait {
                guard let executionId = summary.executionId else { continue }
                let due = DueSlot(job: job, jobOrder: order, slot: slot)
                let firstSentMs = Int64((summary.firstSentAt ?? summary.updatedAt) * 1000)
                let machine = SlotStateMachine(resumingPollOf: executionId, policy: Self.policy(job.retry), tokenFirstSentMs: firstSentMs, attempts: summary.attempts ?? 1)
                let id = SlotID(job: name, slot: slot)
                runningByJob[name, default: []].insert(id)
                status.running += 1
                let first = machine.pendingPoll
                launch(due, job: job, machine: machine, first: first, ticket: nil)
            }
        }
        if !expired.isEmpty {
            let ledger = deps.ledger
            Task { try? await ledger.append(expired) }
        }
    }

    // MARK: Reload and stop

    /// Replaces the jobs (SIGHUP). Jobs keep their ledger by name; a removed job's pending
    /// retries stop; no job fires for its past.
    package func reload(_ newFile: JobFile) {
        let old = Set(jobsByName.keys)
        jobFile = newFile
        jobsByName = Self.index(newFile.jobs)
        let removed = old.subtracting(jobsByName.keys)
        for (id, task) in slotTasks where removed.contains(id.job) && !inFlight.contains(id) {
            task.cancel()
        }
        let state = deps.ledger.state()
        planner = SchedulePlanner(jobs: newFile.jobs, watermarks: state.jobs.compactMapValues(\.watermark), nowMs: deps.clock.nowMs(), catchingUp: false)
        gate = StartGate(maxConcurrency: newFile.maxConcurrency, rate: newFile.rateLimit)
        status.jobs = newFile.jobs.count
        status.enabledJobs = newFile.jobs.filter(\.enabled).count
        status.reloadProblem = nil
        logger.notice("job file reloaded", metadata: ["event": "reloaded", "jobs": "\(status.enabledJobs)", "removed": "\(removed.sorted().joined(separator: ","))"])
        logNextSlots()
        refreshStatus(force: true)
        publishJobMetrics(removed: removed)
        wakeLoop()
    }

    /// A reload whose file was bad: the old jobs keep running; STATUS says why.
    package func reloadFailed(_ problem: String) {
        status.reloadProblem = problem
        logger.error("job file reload failed; keeping the old jobs", metadata: ["event": "reload-failed", "error": "\(problem)"])
        refreshStatus(force: true)
    }

    package var statusText: String { status.text }

    /// SIGTERM: no new starts; calls in flight get `stopGrace` to finish; then everything stops.
    /// Slots left unanswered stay open in the ledger and are re-sent with the same token on restart.
    package func stop() async {
        stopping = true
        status.stopping = true
        deps.notifier.stopping(status: status.text)
        logger.notice("stopping", metadata: ["event": "stopping", "in_flight": "\(inFlight.count)"])
        wakeLoop()
        for (id, task) in slotTasks where !inFlight.contains(id) {
            task.cancel()
        }
        let deadline = deps.clock.nowMs() + deps.stopGrace.milliseconds
        while !inFlight.isEmpty, deps.clock.nowMs() < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        for task in slotTasks.values { task.cancel() }
        for task in slotTasks.values { await task.value }
    }
}
