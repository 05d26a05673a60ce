import MetricsExport
import Scheduling
import AppFlow
import Foundation
import JobFile
import Ledger
import Logging
import Scheduler
import ServiceLifecycle
import UnixSignals

/// The executor of `SchedulerStateMachine`: one loop over events, one child task per call in
/// flight, in a discarding task group. It decides nothing: it performs the machine's actions and
/// feeds back what came of them. SIGHUP is trapped before READY can be sent; graceful shutdown
/// (SIGTERM/SIGINT, from the `ServiceGroup`) becomes the `shutdownRequested` event.
package struct SchedulerService: Service {
    package struct Dependencies: Sendable {
        package var client: any FlowStarter
        package var clock: any SchedulerClock
        package var ledger: Ledger
        package var notifier: any DaemonNotifier
        package var logger: Logger
        package var metrics: DaemonMetrics
        /// A uniform draw in [0, 1), for backoff jitter.
        package var random: @Sendable () -> Double
        /// Reads and validates the job file for a reload.
        package var loadJobFile: @Sendable () async -> Result<JobFile, ReloadProblem>
        /// Test-only fault (`APPFLOWD_TEST_FAULT=wedge-after-ready`): this long after READY the
        /// loop blocks for good, so the integration test can watch systemd's watchdog kill it.
        package var wedgeAfterReady: Duration?
        /// Beaten on every turn of the loop, for `/healthz`.
        package var heartbeat: LoopHeartbeat?
        /// Where reload requests come from; nil: SIGHUP.
        package var reloadRequests: AsyncStream<Void>?
        /// After a reload's job file is read: what the daemon will run with, for STATUS=
        /// (`SchedulerEvent.setupChecked`). Nil: nothing is checked.
        package var checkSetup: (@Sendable (JobFile) async -> String?)?

        package init(client: any FlowStarter, clock: any SchedulerClock, ledger: Ledger, notifier: any DaemonNotifier, logger: Logger,
                     metrics: DaemonMetrics = .disabled, random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
                     loadJobFile: @escaping @Sendable () async -> Result<JobFile, ReloadProblem>,
                     wedgeAfterReady: Duration? = nil, heartbeat: LoopHeartbeat? = nil, reloadRequests: AsyncStream<Void>? = nil,
                     checkSetup: (@Sendable (JobFile) async -> String?)? = nil) {
            self.client = client
            self.clock = clock
            self.ledger = ledger
            self.notifier = notifier
            self.logger = logger
            self.metrics = metrics
            self.random = random
            self.loadJobFile = loadJobFile
            self.wedgeAfterReady = wedgeAfterReady
            self.heartbeat = heartbeat
            self.reloadRequests = reloadRequests
            self.checkSetup = checkSetup
        }
    }

    /// A job file that could not be reloaded (the loader has logged each problem).
    package struct ReloadProblem: Error, Sendable {
        package var summary: String
        package init(summary: String) {
            self.summary = summary
        }
    }

    /// The scheduler stopped because it cannot go on safely (the ledger is unusable).
    package struct Failure: Error, CustomStringConvertible {
        package var description: String
    }

    let jobFile: JobFile
    let configuration: SchedulerStateMachine.Configuration
    let deps: Dependencies

    package init(jobFile: JobFile, configuration: SchedulerStateMachine.Configuration, dependencies: Dependencies) {
        self.jobFile = jobFile
        self.configuration = configuration
        deps = dependencies
    }

    package func run() async throws {
        let (events, continuation) = AsyncStream.makeStream(of: SchedulerEvent.self)
        // In place before READY: a SIGHUP right after READY must reload, not kill the daemon.
        let hangups = deps.reloadRequests == nil ? await UnixSignalsSequence(trapping: .sighup) : nil
        let requests = deps.reloadRequests
        let timer = deps.clock.makeTimer { continuation.yield(.tick) }
        defer {
            timer.cancel()
            continuation.finish()
        }
        var machine = SchedulerStateMachine(jobFile: jobFile, ledger: deps.ledger.state(), configuration: configuration, nowMs: deps.clock.nowMs())
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask {
                    if let hangups {
                        for await _ in hangups { continuation.yield(.reloadRequested) }
                    } else if let requests {
                        for await _ in requests { continuation.yield(.reloadRequested) }
                    }
                }
                var executor = Executor(deps: deps, continuation: continuation, timer: timer)
                var actions = machine.start(nowMs: deps.clock.nowMs())
                executor.readyAtMs = deps.clock.nowMs()
                deps.heartbeat?.beat()
                var iterator = events.makeAsyncIterator()
                while try executor.perform(actions, in: &group) {
                    await executor.wedgeIfAsked()
                    guard let event = await iterator.next() else { break }
                    deps.heartbeat?.beat()
                    actions = machine.handle(event, nowMs: deps.clock.nowMs())
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            continuation.yield(.shutdownRequested)
        }
    }

    /// Performs actions; one child task per call.
    struct Executor {
        let deps: Dependencies
        let continuation: AsyncStream<SchedulerEvent>.Continuation
        let timer: any SchedulerTimer
        var readyAtMs: Int64?

        init(deps: Dependencies, continuation: AsyncStream<SchedulerEvent>.Continuation, timer: any SchedulerTimer) {
            self.deps = deps
            self.continuation = continuation
            self.timer = timer
        }

        /// Returns false once the machine has finished.
        mutating func perform(_ actions: [SchedulerAction], in group: inout ThrowingDiscardingTaskGroup<any Error>) throws -> Bool {
            for action in actions {
                switch action {
                case .appendLedger(let id, let records):
                    let ledger = deps.ledger
                    let continuation = continuation
                    group.addTask {
                        do {
                            try await ledger.append(records)
                            continuation.yield(.ledgerWritten(id))
                        } catch {
                            let fatal = (error as? LedgerError)?.code == .closed
                            continuation.yield(.ledgerFailed(id, message: "\(error)", fatal: fatal))
                        }
                    }
                case .startFlow(let id, let request):
                    let (client, metrics, random, continuation) = (deps.client, deps.metrics, deps.random, continuation)
                    group.addTask {
                        let began = ContinuousClock.now
                        let result: Result<StartAnswer, CallFailure>
                        do {
                            result = .success(StartAnswer(try await client.startFlow(target: request.target, flowName: request.flow, clientToken: request.token)))
                        } catch {
                            result = .failure(CallFailure(error))
                        }
                        metrics.startLatency(ContinuousClock.now - began)
                        continuation.yield(.startAnswered(id, result, random: random()))
                    }
                case .poll(let id, let request):
                    let (client, continuation) = (deps.client, continuation)
                    group.addTask {
                        do {
                            let execution = try await client.findExecution(target: request.target, flowName: request.flow, executionId: request.executionId)
                            continuation.yield(.pollAnswered(id, .success(execution.map(ExecutionAnswer.init))))
                        } catch {
                            continuation.yield(.pollAnswered(id, .failure(CallFailure(error))))
                        }
                    }
                case .warm(let target):
                    let client = deps.client
                    group.addTask { await client.warm(target: target) }
                case .presign(let target, let requests):
                    let client = deps.client
                    group.addTask { await client.presign(target: target, requests: requests) }
                case .loadJobFile:
                    let (load, check, continuation) = (deps.loadJobFile, deps.checkSetup, continuation)
                    group.addTask {
                        switch await load() {
                        case .success(let file):
                            if let check { continuation.yield(.setupChecked(await check(file))) }
                            continuation.yield(.reloadLoaded(file))
                        case .failure(let problem): continuation.yield(.reloadFailed(problem.summary))
                        }
                    }
                case .notify(let notification):
                    switch notification {
                    case .ready(let status): deps.notifier.ready(status: status)
                    case .reloading(let status): deps.notifier.reloading(status: status)
                    case .stopping(let status): deps.notifier.stopping(status: status)
                    case .status(let text): deps.notifier.status(text)
                    case .watchdog: deps.notifier.watchdog()
                    }
                case .log(let entry):
                    deps.logger.log(level: entry.level.swiftLog, "\(entry.message)", metadata: entry.fields.mapValues { .string($0) })
                case .metric(let event):
                    deps.metrics.observe(event)
                case .sleepUntil(let atMs):
                    timer.arm(atMs: atMs)
                case .finish:
                    return false
                case .fail(let reason):
                    throw Failure(description: reason)
                }
            }
            return true
        }

        /// The test-only wedge: the loop stops here for good, so no WATCHDOG=1 is sent again.
        func wedgeIfAsked() async {
            guard let wedge = deps.wedgeAfterReady, let ready = readyAtMs, deps.clock.nowMs() >= ready + wedge.milliseconds else { return }
            deps.logger.warning("test fault: wedging the scheduling loop", metadata: ["event": "test-fault", "fault": "wedge-after-ready"])
            await withUnsafeContinuation { (_: UnsafeContinuation<Void, Never>) in }
        }
    }
}

extension LogEntry.Level {
    var swiftLog: Logger.Level {
        switch self {
        case .debug: .debug
        case .info: .info
        case .notice: .notice
        case .warning: .warning
        case .error: .error
        case .critical: .critical
        }
    }
}

/// Waits for graceful shutdown, then runs `stop`: how the ledger, the clients and the metrics
/// exporter are closed by the `ServiceGroup`, in reverse order of their start, after the scheduler.
package struct ClosingService: Service {
    let stop: @Sendable () async -> Void

    package init(stop: @escaping @Sendable () async -> Void) {
        self.stop = stop
    }

    package func run() async throws {
        try? await gracefulShutdown()
        await stop()
    }
}
