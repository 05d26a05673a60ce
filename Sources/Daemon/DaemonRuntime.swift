import AppFlow
import Foundation
import JobFile
import Ledger
import Logging
import Scheduling

/// The scheduling loop and everything it owns: the planner (one wall-clock wait for the earliest
/// slot of all jobs), the slot tasks, the ledger, the counters behind `STATUS=`, and the watchdog,
/// which only the loop itself feeds.
package actor DaemonRuntime {
    package struct Dependencies: Sendable {
        package var client: any FlowStarter
        package var clock: any DaemonClock
        package var ledger: Ledger
        package var notifier: any DaemonNotifier
        package var logger: Logger
        package var random: @Sendable () -> Double
        /// Half of systemd's WatchdogSec, or nil.
        package var watchdogInterval: Duration?
        /// How long in-flight StartFlow calls may finish after SIGTERM.
        package var stopGrace: Duration
        /// Test-only fault (`APPFLOWD_TEST_FAULT=wedge-after-ready`): this long after READY the
        /// scheduling loop blocks forever, so the integration test can watch systemd's watchdog
        /// kill it. Always nil in production.
        package var wedgeAfterReady: Duration?
        /// Counters, histograms and gauges for `/metrics` and the textfile (`DaemonMetrics`).
        package var metrics: DaemonMetrics
        /// Beaten on every pass of the scheduling loop, read by `/healthz` (`LoopHeartbeat`).
        package var heartbeat: LoopHeartbeat?

        package init(client: any FlowStarter, clock: any DaemonClock, ledger: Ledger, notifier: any DaemonNotifier, logger: Logger,
                     random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
                     watchdogInterval: Duration? = nil, stopGrace: Duration = .seconds(10), wedgeAfterReady: Duration? = nil,
                     metrics: DaemonMetrics = .disabled) {
            self.client = client
            self.clock = clock
            self.ledger = ledger
            self.notifier = notifier
            self.logger = logger
            self.random = random
            self.watchdogInterval = watchdogInterval
            self.stopGrace = stopGrace
            self.wedgeAfterReady = wedgeAfterReady
            self.metrics = metrics
        }
    }

    struct SlotID: Hashable, Sendable {
        var job: String
        var slot: Int64
    }

    let deps: Dependencies
    var logger: Logger { deps.logger }
    var jobFile: JobFile
    var jobsByName: [String: (job: Job, order: Int)] = [:]
    var planner: SchedulePlanner
    var gate: StartGate
    var status = DaemonStatus()
    var slotTasks: [SlotID: Task<Void, Never>] = [:]
    var inFlight: Set<SlotID> = []
    /// Per job, the execution of a `wait = true` run still in progress (for `overlap`).
    var runningByJob: [String: Set<SlotID>] = [:]
    var stopping = false
    private var loopWake: Task<Void, any Error>?
    private var lastWatchdogMs: Int64 = .min
    private var lastStatusText = ""
    private var lastStatusSent: ContinuousClock.Instant?
    private var statusFlushScheduled = false
    /// When the test-only wedge fault fires (see `Dependencies.wedgeAfterReady`).
    private var wedgeAtMs: Int64?

    package init(jobFile: JobFile, dependencies: Dependencies) {
        self.jobFile = jobFile
        deps = dependencies
        let state = dependencies.ledger.state()
        planner = SchedulePlanner(
            jobs: jobFile.jobs,
            watermarks: state.jobs.compactMapValues(\.watermark),
            nowMs: dependencies.clock.nowMs()
        )
        gate = StartGate(maxConcurrency: jobFile.maxConcurrency, rate: jobFile.rateLimit)
        jobsByName = Self.index(jobFile.jobs)
        status.jobs = jobFile.jobs.count
        status.enabledJobs = jobFile.jobs.filter(\.enabled).count
    }

    static func index(_ jobs: [Job]) -> [String: (job: Job, order: Int)] {
        var index: [String: (job: Job, order: Int)] = [:]
        for (order, job) in jobs.enumerated() { index[job.name] = (job, order) }
        return index
    }

    package var currentStatus: DaemonStatus { status }

    // MARK: The loop

    /// Resumes what the ledger left open, reports READY, then runs until `stop()`.
    package func run() async {
        resumeFromLedger()
        logNextSlots()
        refreshStatus(force: true)
        publishJobMetrics()
        deps.notifier.ready(status: status.text)
        logger.info("ready", metadata: ["event": "ready", "jobs": "\(status.enabledJobs)", "status": "\(status.text)"])
        if let wedge = deps.wedgeAfterReady { wedgeAtMs = deps.clock.nowMs() + wedge.milliseconds }
        while !stopping {
            let now = deps.clock.nowMs()
            if let wedgeAtMs, now >= wedgeAtMs { await wedgeForever() }
            let batch = planner.popDue(nowMs: now)
            if !batch.due.isEmpty || !batch.skipped.isEmpty {
                await dispatch(batch, nowMs: now)
                publishNextAfter(batch, nowMs: now)
            }
            feedWatchdog(nowMs: now)
            deps.heartbeat?.beat()
            refreshStatus()
            if stopping { break }
            await waitForNextWake(nowMs: deps.clock.nowMs())
        }
    }

    private func waitForNextWake(nowMs: Int64) async {
        var wake = planner.nextFireMs ?? (nowMs + 3_600_000)
        if let interval = deps.watchdogInterval {
            wake = min(wake, nowMs + max(1, interval.milliseconds))
        }
        if let wedgeAtMs { wake = min(wake, max(nowMs + 1, wedgeAtMs)) }
        // Never one wait of more than an hour: a long wait is re-armed, so nothing depends on it.
        wake = min(wake, nowMs + 3_600_000)
        let clock = deps.clock
        let task = Task { try await clock.sleep(untilMs: wake) }
        loopWake = task
        _ = try? await task.value
        loopWake = nil
    }

    /// The test-only wedge: the loop stops here for good, so no WATCHDOG=1 is sent again.
    private func wedgeForever() async {
        logger.warning("test fault: wedging the scheduling loop", metadata: ["event": "test-fault", "fault": "wedge-after-ready"])
        await withUnsafeContinuation { (_: UnsafeContinuation<Void, Never>) in }
    }

    /// Wakes the loop early (reload, stop).
    func wakeLoop() {
        loopWake?.cancel()
    }

    private func feedWatchdog(nowMs: Int64) {
        guard let interval = deps.watchdogInterval else { return }
        if lastWatchdogMs == .min || nowMs - lastWatchdogMs >= interval.milliseconds / 2 || nowMs < lastWatchdogMs {
            deps.notifier.watchdog()
            lastWatchdogMs = nowMs
        }
    }

    func refreshStatus(force: Bool = false) {
        if let next = planner.nextSlot {
            status.next = (next.jobName, next.fireMs)
        } else {
            status.next = nil
        }
        let text = status.text
        guard force || text != lastStatusText else { return }
        if force {
            lastStatusText = text
            return
        }
        // At most one STATUS= a second: a burst changes the counts thousands of times.
        let now = ContinuousClock.now
        if let last = lastStatusSent, last.duration(to: now) < .seconds(1) {
            if !statusFlushScheduled {
                statusFlushScheduled = true
                Task {
                    try? await Task.sleep(until: last + .seconds(1), clock: .continuous)
                    self.flushStatus()
                }
            }
            return
        }
        lastStatusText = text
        lastStatusSent = now
        deps.notifier.status(text)
    }

    private func flushStatus() {
        statusFlushScheduled = false
        refreshStatus()
    }

    func logNextSlots() {
        // One `scheduled` line per job; past a thousand jobs that is noise, and slow to start.
        let limit = 1000
        if jobFile.jobs.count > limit {
            logger.info("jobs scheduled", metadata: ["event": "scheduled", "jobs": "\(status.enabledJobs)", "status": "\(status.text)"])
            return
        }
        for job in jobFile.jobs where job.enabled {
            guard let order = jobsByName[job.name]?.order,
                  let next = SchedulePlanner.firstFuture(job: job, order: order, nowMs: deps.clock.nowMs()) else { continue }
            logger.slot(.scheduled, next, ["fire": "\(DaemonStatus.utc(ms: next.fireMs))", "schedule": "\(job.scheduleDescription)"])
        }
    }

    // MARK: Dispatching due slots

    private func dispatch(_ batch: SchedulePlanner.Batch, nowMs: Int64) async {
        var records: [LedgerRecord] = []
        var toStart: [(DueSlot, Job)] = []
        let at = Double(nowMs) / 1000
        for skipped in batch.skipped {
            let message = skipped.count == 1 ? skipped.reason : "\(skipped.count) slots, the newest shown: \(skipped.reason)"
            records.append(.skipped(job: skipped.newest.jobName, flow: skipped.newest.flow, slot: skipped.newest.slot, token: skipped.newest.token, at: at, message: message))
            logger.slot(.skipped, skipped.newest, ["count": "\(skipped.count)", "reason": "\(skipped.reason)"])
            status.skipped += skipped.count
            metrics.start(flow: skipped.newest.flow, outcome: SlotOutcome.skipped.rawValue, count: skipped.count)
        }
        for due in batch.due {
            guard let (job, _) = jobsByName[due.jobName] else { continue }
            let id = SlotID(job: due.jobName, slot: due.slot)
            if slotTasks[id] != nil { continue }
            if job.wait, job.overlap == .skip, let running = runningByJob[job.name], !running.isEmpty {
                let message = "the previous run of this job is still in progress (overlap = skip)"
                records.append(.skipped(job: due.jobName, flow: due.flow, slot: due.slot, token: due.token, at: at, message: message))
                logger.slot(.skipped, due, ["reason": "\(message)"])
                status.skipped += 1
                metrics.start(flow: due.flow, outcome: SlotOutcome.skipped.rawValue)
                continue
            }
            toStart.append((due, job))
        }
        // The `sent` records go to the ledger in chunks, each durable before its slots are
        // started: a burst's first StartFlow does not wait for the whole burst's records.
        let chunkSize = max(64, jobFile.maxConcurrency * 4)
        var index = 0
        repeat {
            let chunk = toStart[index..<min(toStart.count, index + chunkSize)]
            records += chunk.map { due, _ in .sent(job: due.jobName, flow: due.flow, slot: due.slot, token: due.token, at: at) }
            do {
                // Durable before the first StartFlow: a crash from here on re-sends the same token.
                if !records.isEmpty { try await deps.ledger.append(records) }
            } catch {
                ledgerFailed(error, notStarted: Array(toStart[index...]))
                return
            }
            records = []
            for (due, job) in chunk {
                let machine = SlotStateMachine(policy: Self.policy(job.retry), wait: job.wait, tokenFirstSentMs: nowMs)
                let order = jobsByName[due.jobName]?.order ?? 0
                launch(due, job: job, machine: machine, first: nil, ticket: gate.register(fireMs: due.fireMs, slot: due.slot, jobOrder: order))
            }
            index += chunk.count
        } while index < toStart.count
    }

    private func ledgerFailed(_ error: any Error, notStarted: [(DueSlot, Job)]) {
        logger.critical("ledger write failed; not starting these slots", metadata: [
            "event": "failed", "error_code": "LedgerWriteFailed", "error": "\(error)", "slots": "\(notStarted.count)",
        ])
        status.failed += notStarted.count
        ledgerFailedMetric(error)
        for (due, _) in notStarted { metrics.start(flow: due.flow, outcome: SlotOutcome.failed.rawValue) }
        if let ledgerError = error as? LedgerError, ledgerError.code == .closed {
            // The ledger can no longer promise durability: without it nothing may be sent.
            // Exit so that systemd restarts the daemon, which resumes from what is on disk.
            logger.critical("the ledger is unusable; exiting", metadata: ["event": "stopping"])
            exit(75)
        }
    }

    static func policy(_ retry: RetrySettings) -> RetryPolicy {
        RetryPolicy(maxAttempts: retry.maxAttempts, initialBackoff: retry.initialBackoff, maxBackoff: retry.maxBackoff, deadline: retry.deadline)
    }

    func launch(_ due: DueSlot, job: Job, machine: SlotStateMachine, first: SlotStateMachine.Action?, ticket: StartGate.Ticket?) {
        let id = SlotID(job: due.jobName, slot: due.slot)
        slotTasks[id] = Task { await self.runSlot(due, job: job, machine: machine, first: first, ticket: ticket) }
    }

    func slotFinished(_ id: SlotID) {
        slotTasks[id] = nil
        if stopping, slotTasks.isEmpty { wakeLoop() }
    }
}
