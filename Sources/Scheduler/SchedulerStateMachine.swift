import HeapModule
import JobFile
import Ledger
import Scheduling

/// The whole scheduler as one pure state machine: events in, actions out. It owns the planner,
/// the admission order, concurrency and rate, overlap, the ledger's write order, reload, stopping,
/// each slot's `SlotStateMachine`, the STATUS throttle and the watchdog schedule. It reads no
/// clock (the present is a parameter), draws no random numbers (they come with the events) and
/// performs no I/O: `SchedulerService` carries out its actions.
///
/// The path of one slot (docs/architecture.md): within `recordAhead` of its fire time its
/// `sent` record is written ahead -> due (planner) -> queued for admission -> StartFlow in
/// flight -> answered -> outcome record written; a retry is recorded, waits in backoff and
/// queues again; `wait = true` polls until the run ends.
package struct SchedulerStateMachine: Sendable {
    package struct Configuration: Sendable {
        /// Half of systemd's WatchdogSec: WATCHDOG=1 goes out this often. Nil: no watchdog.
        package var watchdogInterval: Duration?
        /// How long calls in flight may finish after a graceful shutdown begins.
        package var stopGrace: Duration
        /// At most one STATUS= per this long.
        package var statusInterval: Duration = .seconds(1)
        /// Past this many jobs, one `scheduled` summary line instead of one per job.
        package var scheduledLogLimit = 1000
        /// The loop looks at the clock at least this often, even with nothing due.
        package var maxSleep: Duration = .seconds(3600)
        /// The STATUS= note on what the daemon runs with, from READY on (`SchedulerStatus.setupNote`).
        package var setupNote: String?
        /// A slot's first `sent` record is written once its fire time is this close (with every
        /// other slot firing within twice this, in one write), so that nothing is written between
        /// the timer and its StartFlow. Zero: written at the fire time.
        package var recordAhead: Duration = .seconds(2)
        /// How long before the next fire time the machine asks for that slot's client to be made
        /// ready (`SchedulerAction.warm`). Nil: never.
        package var warmLead: Duration?
        /// Whether the StartFlow of each slot recorded ahead is signed ahead too
        /// (`SchedulerAction.presign`).
        package var presignAhead = false
        /// Whether each job's next fire time is published as a metric (`MetricEvent.next`):
        /// off when no metrics are exported, which spares a schedule step per job at READY.
        package var jobMetrics = true

        package init(watchdogInterval: Duration? = nil, stopGrace: Duration = .seconds(10)) {
            self.watchdogInterval = watchdogInterval
            self.stopGrace = stopGrace
        }
    }

    enum Phase: Equatable {
        /// Its `sent` record waits in the ledger queue or is being written.
        case recording
        /// Waits for its turn to send (concurrency, rate, slot order).
        case queued
        case sending
        case backoff(untilMs: Int64)
        case pollWait(untilMs: Int64, executionId: String)
        case polling(executionId: String)
    }

    struct Slot {
        var due: DueSlot
        /// The job's region and role, as they were when the slot became due (a reload does not move it).
        var target: CallTarget
        var machine: SlotStateMachine
        var phase: Phase
        /// When the slot's deadline for a `sent` record that cannot be written passes.
        var recordDeadlineMs: Int64
    }

    struct QueueEntry: Comparable {
        var fireMs: Int64
        var slot: Int64
        var jobOrder: Int
        var sequence: UInt64
        var id: SlotID
        static func < (lhs: QueueEntry, rhs: QueueEntry) -> Bool {
            (lhs.fireMs, lhs.slot, lhs.jobOrder, lhs.sequence) < (rhs.fireMs, rhs.slot, rhs.jobOrder, rhs.sequence)
        }
        static func == (lhs: QueueEntry, rhs: QueueEntry) -> Bool { lhs.sequence == rhs.sequence }
    }

    struct Timer: Comparable {
        var atMs: Int64
        var id: SlotID
        static func < (lhs: Timer, rhs: Timer) -> Bool { lhs.atMs < rhs.atMs }
        static func == (lhs: Timer, rhs: Timer) -> Bool { lhs.atMs == rhs.atMs && lhs.id == rhs.id }
    }

    /// One record waiting for the ledger, and the slot it releases once durable.
    struct Pending {
        var record: LedgerRecord
        var releases: SlotID?
    }

    let configuration: Configuration
    package internal(set) var jobFile: JobFile
    var jobs: [String: (job: Job, order: Int)] = [:]
    var planner: SchedulePlanner
    /// Per job, the latest slot decided (sent or skipped): the ledger's watermark, kept current.
    var decided: [String: Int64] = [:]
    var slots: [SlotID: Slot] = [:]
    var queue = Heap<QueueEntry>()
    var sequence: UInt64 = 0
    var timers = Heap<Timer>()
    var inFlight = 0
    var bucket: TokenBucket?
    var rateWakeMs: Int64?

    // The ledger queue: records in the order they were produced, at most one write in flight.
    var ledgerQueue: [Pending] = []
    var ledgerWrite: (id: WriteID, count: Int)?
    var nextWriteID: UInt64 = 0
    var ledgerRetryAtMs: Int64?
    var ledgerRetryDelayMs: Int64 = 1000
    /// Slots not due yet whose `sent` record was written ahead (or is being written).
    var ahead: [SlotID: Ahead] = [:]
    /// Records written ahead that the ledger held at open, reconciled with the planner at start.
    var restoredAhead: [SlotID: Ahead] = [:]

    package internal(set) var status = SchedulerStatus()
    var lastStatusText = ""
    var lastStatusSentMs: Int64?
    var statusFlushAtMs: Int64?
    var lastWatchdogMs: Int64?
    var reloading = false
    var reloadAgain = false
    package internal(set) var stopping = false
    var stopDeadlineMs: Int64?
    var finished = false
    var actions: [SchedulerAction] = []
    /// Per job, its last success as the ledger remembers it, for the gauge at READY.
    var rememberedSuccess: [String: Double] = [:]
    /// The fire time of the last slot a `warm` was asked for.
    var warmedFireMs: Int64 = .min

    /// - Parameter ledger: the state the ledger replayed at open.
    package init(jobFile: JobFile, ledger: LedgerState, configuration: Configuration, nowMs: Int64) {
        self.configuration = configuration
        self.jobFile = jobFile
        // The watermark, and the slots sent ahead whose fire time has passed: they may have been
        // sent, so they are decided (`resume` sends them again with their token).
        for (name, remembered) in ledger.jobs {
            var last = remembered.watermark
            for (slot, summary) in remembered.unresolved where Self.mayHaveBeenSent(summary, nowMs: nowMs) {
                last = max(last ?? slot, slot)
            }
            if let last { decided[name] = last }
        }
        let names = Set(jobFile.jobs.map(\.name))
        planner = SchedulePlanner(jobs: jobFile.jobs, resumeAfter: decided.filter { names.contains($0.key) }, nowMs: nowMs)
        index(jobFile)
        status.jobs = jobFile.jobs.count
        status.enabledJobs = jobFile.jobs.filter(\.enabled).count
        status.setupNote = configuration.setupNote
        bucket = jobFile.rateLimit.map { TokenBucket(rate: $0, nowNanos: nowMs * 1_000_000) }
        for job in jobFile.jobs {
            rememberedSuccess[job.name] = Self.lastSuccess(ledger.jobs[job.name], wait: job.wait)
        }
        resume(ledger, nowMs: nowMs)
        restoredAhead = restoreAhead(ledger, nowMs: nowMs)
    }

    mutating func index(_ file: JobFile) {
        jobs = [:]
        for (order, job) in file.jobs.enumerated() { jobs[job.name] = (job, order) }
    }

    // MARK: - Start and events

    /// After `init`: READY and the first look at the clock.
    package mutating func start(nowMs: Int64) -> [SchedulerAction] {
        logScheduled(nowMs: nowMs)
        publishJobMetrics(nowMs: nowMs)
        for (job, at) in rememberedSuccess.sorted(by: { $0.key < $1.key }) { emit(.metric(.lastSuccess(job: job, atSeconds: at))) }
        updateNext()
        lastStatusText = status.text
        lastStatusSentMs = nowMs
        emit(.notify(.ready(status: status.text)))
        emit(.log(LogEntry(.info, "ready", ["event": "ready", "jobs": "\(status.enabledJobs)", "status": status.text])))
        let restored = restoredAhead
        restoredAhead = [:]
        recordAhead(nowMs: nowMs, previous: restored, reason: "not sent: the job file changed the slot before its fire time")
        return finishStep(nowMs: nowMs)
    }

    package mutating func handle(_ event: SchedulerEvent, nowMs: Int64) -> [SchedulerAction] {
        guard !finished else { return [] }
        switch event {
        case .tick:
            break
        case .ledgerWritten(let id):
            ledgerWritten(id, nowMs: nowMs)
        case .ledgerFailed(let id, let message, let fatal):
            ledgerFailed(id, message: message, fatal: fatal, nowMs: nowMs)
        case .startAnswered(let id, let result, let random):
            startAnswered(id, result, random: random, nowMs: nowMs)
        case .pollAnswered(let id, let result):
            pollAnswered(id, result, nowMs: nowMs)
        case .reloadRequested:
            requestReload()
        case .reloadLoaded(let file):
            reloading = false
            reload(file, nowMs: nowMs)
            if reloadAgain { requestReload() }
        case .reloadFailed(let problem):
            reloading = false
            reloadFailed(problem)
            if reloadAgain { requestReload() }
        case .setupChecked(let note):
            status.setupNote = note
        case .shutdownRequested:
            beginShutdown(nowMs: nowMs)
        }
        return finishStep(nowMs: nowMs)
    }

    mutating func emit(_ action: SchedulerAction) {
        actions.append(action)
    }

    /// Runs what is due, admits, records ahead, flushes the ledger queue, then says when to
    /// wake. StartFlow actions come before any ledger write of the same step.
    private mutating func finishStep(nowMs: Int64) -> [SchedulerAction] {
        if !finished {
            if !stopping { dispatchDue(nowMs: nowMs) }
            warmAhead(nowMs: nowMs)
            fireTimers(nowMs: nowMs)
            expireUnrecorded(nowMs: nowMs)
            if !stopping { admit(nowMs: nowMs) }
            recordAhead(nowMs: nowMs)
            flushLedger(nowMs: nowMs)
            feedWatchdog(nowMs: nowMs)
            if stopping { checkStopped(nowMs: nowMs) }
            refreshStatus(nowMs: nowMs)
            if !finished { emit(.sleepUntil(nextWake(nowMs: nowMs))) }
        }
        defer { actions = [] }
        return actions
    }

    private func nextWake(nowMs: Int64) -> Int64 {
        var wake = nowMs + configuration.maxSleep.milliseconds
        if !stopping, let fire = planner.nextFireMs { wake = min(wake, fire) }
        if !stopping, configuration.recordAhead > .zero, let fire = planner.nextUnannouncedFireMs {
            wake = min(wake, fire - configuration.recordAhead.milliseconds)
        }
        if let warm = nextWarmMs { wake = min(wake, warm) }
        if let timer = timers.min { wake = min(wake, timer.atMs) }
        if let at = ledgerRetryAtMs, !ledgerQueue.isEmpty { wake = min(wake, at) }
        if let at = rateWakeMs, !queue.isEmpty, !stopping { wake = min(wake, at) }
        if let at = statusFlushAtMs { wake = min(wake, at) }
        if let interval = configuration.watchdogInterval {
            wake = min(wake, (lastWatchdogMs ?? nowMs) + max(1, interval.milliseconds))
        }
        if let deadline = stopDeadlineMs { wake = min(wake, deadline) }
        if let earliest = earliestRecordDeadline() { wake = min(wake, earliest) }
        return max(wake, nowMs)
    }

    private func earliestRecordDeadline() -> Int64? {
        guard ledgerRetryAtMs != nil else { return nil }
        return ledgerQueue.lazy.compactMap { $0.releases.flatMap { self.slots[$0]?.recordDeadlineMs } }.min()
    }

    // MARK: - Due slots

    mutating func dispatchDue(nowMs: Int64) {
        let batch = planner.popDue(nowMs: nowMs)
        guard !batch.due.isEmpty || !batch.skipped.isEmpty else { return }
        if !batch.skipped.isEmpty { settleAheadPassedOver(batch, nowMs: nowMs) }
        let at = Double(nowMs) / 1000
        var touched: Set<String> = []
        for skipped in batch.skipped {
            let newest = skipped.newest
            let count = skipped.atLeast ? "at least \(skipped.count)" : "\(skipped.count)"
            let message = skipped.count == 1 && !skipped.atLeast ? skipped.reason : "\(count) slots, the newest shown: \(skipped.reason)"
            enqueueRecord(.skipped(job: newest.jobName, flow: newest.flow, slot: newest.slot, token: newest.token, at: at, message: message))
            emit(.log(.slot(.skipped, newest, ["count": count, "reason": skipped.reason])))
            status.skipped += skipped.count
            emit(.metric(.starts(flow: newest.flow, outcome: SlotOutcome.skipped.rawValue, count: skipped.count)))
            decide(newest)
            touched.insert(newest.jobName)
        }
        for due in batch.due {
            touched.insert(due.jobName)
            var early = ahead.removeValue(forKey: due.id)
            if let entry = early, !entry.records(due) {
                withdraw([entry], nowMs: nowMs, reason: "not sent: recorded with another token, flow or fire time")
                early = nil
            }
            guard let (job, _) = jobs[due.jobName] else { continue }
            decide(due)
            if slots[due.id] != nil { continue }
            if job.wait, job.overlap == .skip, isActive(job: job.name) {
                let message = "the previous run of this job is still in progress (overlap = skip)"
                enqueueRecord(.skipped(job: due.jobName, flow: due.flow, slot: due.slot, token: due.token, at: at, message: message))
                emit(.log(.slot(.skipped, due, ["reason": message])))
                status.skipped += 1
                emit(.metric(.starts(flow: due.flow, outcome: SlotOutcome.skipped.rawValue, count: 1)))
                continue
            }
            // Recorded ahead, the token's first send time is the record's (earlier than the send:
            // its 7h45m bound only gets more conservative).
            let machine = SlotStateMachine(retry: job.retry, wait: job.wait, tokenFirstSentMs: early?.atMs ?? nowMs)
            slots[due.id] = Slot(due: due, target: job.target, machine: machine, phase: .recording,
                                 recordDeadlineMs: due.fireMs + job.retry.deadline.milliseconds)
            if let early {
                // Durable: straight to admission. Not yet (a slow disk): its record releases it.
                if early.durable { enqueueForAdmission(due.id) }
            } else {
                enqueueRecord(.sent(job: due.jobName, flow: due.flow, slot: due.slot, token: due.token, at: at), releases: due.id)
            }
        }
        for name in touched { publishNext(job: name, nowMs: nowMs) }
    }

    private mutating func decide(_ due: DueSlot) {
        decided[due.jobName] = max(decided[due.jobName] ?? due.slot, due.slot)
    }

    /// Whether a slot of this job is anywhere between due and its final outcome.
    func isActive(job name: String) -> Bool {
        slots.keys.contains { $0.job == name }
    }

    // MARK: - Admission

    mutating func enqueueForAdmission(_ id: SlotID) {
        guard var slot = slots[id] else { return }
        slot.phase = .queued
        slots[id] = slot
        sequence += 1
        queue.insert(QueueEntry(fireMs: slot.due.fireMs, slot: slot.due.slot, jobOrder: jobs[id.job]?.order ?? Int.max, sequence: sequence, id: id))
    }

    /// Admits queued slots in slot order while concurrency and rate allow.
    private mutating func admit(nowMs: Int64) {
        rateWakeMs = nil
        while inFlight < jobFile.maxConcurrency, let top = queue.min {
            guard var slot = slots[top.id], slot.phase == .queued else {
                queue.removeMin()
                continue
            }
            if bucket != nil, let wait = bucket!.take(nowNanos: nowMs * 1_000_000) {
                rateWakeMs = nowMs + max(1, (wait.nanoseconds + 999_999) / 1_000_000)
                return
            }
            queue.removeMin()
            let action = slot.machine.admit(nowMs: nowMs)
            switch action {
            case .send(let attempt):
                slot.phase = .sending
                slots[top.id] = slot
                inFlight += 1
                if attempt == 1 {
                    emit(.log(.slot(.starting, slot.due, ["attempt": "\(attempt)", "lateness_ms": "\(nowMs - slot.due.fireMs)"])))
                    emit(.metric(.fireLateness(milliseconds: nowMs - slot.due.fireMs)))
                }
                emit(.startFlow(top.id, StartRequest(target: slot.target, flow: slot.due.flow, token: slot.due.token, attempt: attempt)))
                emit(.metric(.inFlight(inFlight)))
            default:
                slots[top.id] = slot
                apply(action, to: top.id, nowMs: nowMs)
            }
        }
    }

    // MARK: - Answers

    private mutating func startAnswered(_ id: SlotID, _ result: Result<StartAnswer, CallFailure>, random: Double, nowMs: Int64) {
        guard var slot = slots[id], slot.phase == .sending else { return }
        inFlight -= 1
        emit(.metric(.inFlight(inFlight)))
        let action: SlotStateMachine.Action
        switch result {
        case .success(let answer):
            action = slot.machine.startSucceeded(answer)
        case .failure(let failure):
            emit(.metric(.error(operation: "StartFlow", code: failure.code)))
            action = slot.machine.startFailed(failure, nowMs: nowMs, random: random)
        }
        slots[id] = slot
        apply(action, to: id, nowMs: nowMs)
    }

    private mutating func pollAnswered(_ id: SlotID, _ result: Result<ExecutionAnswer?, CallFailure>, nowMs: Int64) {
        guard var slot = slots[id], case .polling = slot.phase else { return }
        let action: SlotStateMachine.Action
        switch result {
        case .success(let execution):
            action = slot.machine.pollAnswered(execution, nowMs: nowMs)
        case .failure(let failure):
            emit(.metric(.error(operation: "DescribeFlowExecutionRecords", code: failure.code)))
            emit(.log(LogEntry(.debug, "describe-flow-execution-records failed", ["job_name": id.job, "error": failure.description])))
            action = slot.machine.pollFailed(nowMs: nowMs)
        }
        slots[id] = slot
        apply(action, to: id, nowMs: nowMs)
    }

    /// Carries out what a slot's machine decided.
    private mutating func apply(_ action: SlotStateMachine.Action, to id: SlotID, nowMs: Int64) {
        guard var slot = slots[id] else { return }
        switch action {
        case .send:
            // Only `admit` sends; a machine never asks for it otherwise.
            break
        case .retry(let after, let attempt, let failure):
            if stopping {
                // The slot stays open in the ledger; a restart re-sends it with its token.
                slots[id] = nil
                return
            }
            emit(.log(.slot(.retrying, slot.due, [
                "attempt": "\(attempt)", "error_code": failure.code, "error": failure.message,
                "retry_in_ms": "\(after.milliseconds)",
            ])))
            emit(.metric(.retry(flow: slot.due.flow)))
            status.retrying += 1
            let until = nowMs + after.milliseconds
            slot.phase = .backoff(untilMs: until)
            slots[id] = slot
            timers.insert(Timer(atMs: until, id: id))
        case .record(let outcome):
            record(outcome, slot: slot, nowMs: nowMs)
            if !outcome.final, let executionId = outcome.executionId, !stopping {
                let until = nowMs + (outcome.pollAfter ?? .seconds(2)).milliseconds
                slot.phase = .pollWait(untilMs: until, executionId: executionId)
                slots[id] = slot
                timers.insert(Timer(atMs: until, id: id))
            } else {
                slots[id] = nil
            }
        case .poll(let after, let executionId):
            if stopping {
                slots[id] = nil
                return
            }
            let until = nowMs + after.milliseconds
            slot.phase = .pollWait(untilMs: until, executionId: executionId)
            slots[id] = slot
            timers.insert(Timer(atMs: until, id: id))
        }
    }

    /// Backoffs and polls whose time has come.
    private mutating func fireTimers(nowMs: Int64) {
        while let timer = timers.min, timer.atMs <= nowMs {
            timers.removeMin()
            guard var slot = slots[timer.id] else { continue }
            switch slot.phase {
            case .backoff(let until) where until == timer.atMs:
                status.retrying -= 1
                if stopping {
                    slots[timer.id] = nil
                    continue
                }
                slot.machine.backoffEnded()
                slot.phase = .recording
                slots[timer.id] = slot
                // Like the first send, each retry is recorded before it leaves, with its number:
                // after a restart, `max_attempts` and the deadline go on from what may have been sent.
                var retry = LedgerRecord.sent(job: slot.due.jobName, flow: slot.due.flow, slot: slot.due.slot, token: slot.due.token, at: Double(nowMs) / 1000)
                retry.attempts = slot.machine.attempts + 1
                enqueueRecord(retry, releases: timer.id)
            case .pollWait(let until, let executionId) where until == timer.atMs:
                if stopping {
                    slots[timer.id] = nil
                    continue
                }
                slot.phase = .polling(executionId: executionId)
                slots[timer.id] = slot
                emit(.poll(timer.id, PollRequest(target: slot.target, flow: slot.due.flow, executionId: executionId)))
            default:
                continue
            }
        }
    }

    /// Writes the outcome to the ledger, logs it and counts it.
    private mutating func record(_ outcome: SlotStateMachine.Outcome, slot: Slot, nowMs: Int64) {
        let due = slot.due
        let at = Double(nowMs) / 1000
        enqueueRecord(LedgerRecord(
            kind: .outcome, job: due.jobName, flow: due.flow, slot: due.slot, token: due.token,
            at: at, outcome: outcome.outcome, final: outcome.final,
            executionId: outcome.executionId, flowStatus: outcome.flowStatus, errorCode: outcome.errorCode,
            message: outcome.message, attempts: outcome.attempts, recordsProcessed: outcome.recordsProcessed,
            bytesProcessed: outcome.bytesProcessed, bytesWritten: outcome.bytesWritten
        ))
        var fields = ["attempt": "\(outcome.attempts)"]
        if let value = outcome.executionId { fields["execution_id"] = value }
        if let value = outcome.flowStatus { fields["flow_status"] = value }
        if let value = outcome.errorCode { fields["error_code"] = value }
        if let value = outcome.message { fields["error"] = value }
        if let value = outcome.recordsProcessed { fields["records_processed"] = "\(value)" }
        if let value = outcome.bytesProcessed { fields["bytes_processed"] = "\(value)" }
        if let value = outcome.bytesWritten { fields["bytes_written"] = "\(value)" }
        let wasRunning: Bool = if case .polling = slot.phase { true } else { false }
        let name = outcome.outcome.rawValue
        switch outcome.outcome {
        case .started:
            status.started += 1
            emit(.log(.slot(.started, due, fields)))
            emit(.metric(.starts(flow: due.flow, outcome: name, count: 1)))
            if outcome.final {
                emit(.metric(.lastSuccess(job: due.jobName, atSeconds: at)))
            } else {
                status.running += 1
            }
        case .activated:
            status.activated += 1
            emit(.log(.slot(.activated, due, fields)))
            emit(.metric(.starts(flow: due.flow, outcome: name, count: 1)))
            emit(.metric(.lastSuccess(job: due.jobName, atSeconds: at)))
        case .failed:
            status.failed += 1
            emit(.log(.slot(.failed, due, fields)))
            emit(.metric(.starts(flow: due.flow, outcome: name, count: 1)))
        case .skipped:
            status.skipped += 1
            emit(.log(.slot(.skipped, due, fields)))
            emit(.metric(.starts(flow: due.flow, outcome: name, count: 1)))
        case .outcomeUnknown:
            status.outcomeUnknown += 1
            emit(.log(.slot(.outcomeUnknown, due, fields)))
            // With an execution id the start succeeded and only the run's end is unknown.
            emit(.metric(outcome.executionId != nil && wasRunning ? .runs(flow: due.flow, outcome: name) : .starts(flow: due.flow, outcome: name, count: 1)))
        case .succeeded:
            emit(.log(.slot(.succeeded, due, fields)))
            emit(.metric(.runs(flow: due.flow, outcome: name)))
            emit(.metric(.lastSuccess(job: due.jobName, atSeconds: at)))
        case .errored, .canceled:
            emit(.log(.slot(.errored, due, fields)))
            emit(.metric(.runs(flow: due.flow, outcome: name)))
        }
        if wasRunning, outcome.final { status.running -= 1 }
    }
}
