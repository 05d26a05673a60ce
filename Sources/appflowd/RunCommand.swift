import AppFlow
import ArgumentParser
import Daemon
import Foundation
import JobFile
import Ledger
import Logging
import MetricsExport
import Scheduler
import ServiceLifecycle
import Systemd

/// `appflowd run`: the daemon.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon: start each job's flows at their times.",
        discussion: """
            Reports to systemd (READY, STATUS, RELOADING, STOPPING, WATCHDOG) when NOTIFY_SOCKET is \
            set, logs natively to the journal when stderr is the journal, else one line per event. \
            SIGHUP re-reads the job file; SIGTERM stops gracefully.
            """
    )

    @Option(help: "The job file.")
    var config = "/etc/appflowd/jobs.toml"

    @Option(name: .customLong("state-dir"), help: "Where the ledger lives. Default: $STATE_DIRECTORY, else /var/lib/appflowd.")
    var stateDir: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    @OptionGroup var logFormat: LogFormatOption

    @Option(name: .customLong("stop-grace"), help: "Seconds in-flight StartFlow calls get to finish on SIGTERM.")
    var stopGrace: Double = 10

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level '\(logLevel)'") }
        guard stopGrace >= 0 else { throw ValidationError("--stop-grace must not be negative") }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        SystemdLogging.bootstrap(level: Logger.Level(rawValue: logLevel) ?? .info, format: try logFormat.resolved(environment: environment), environment: environment)
        let logger = Logger(label: "appflowd")
        let clock = DispatchWallClock()

        let (loaded, diagnostics) = Self.load(path: config, environment: environment, now: clock.nowMs() / 1000)
        for diagnostic in diagnostics {
            logger.log(level: diagnostic.severity == .error ? .error : .warning, "job file problem", metadata: ["diagnostic": "\(diagnostic)"])
        }
        guard let jobFile = loaded else { throw ExitCode(1) }

        let directory = Self.stateDirectory(explicit: stateDir, environment: environment)
        let ledger: Ledger
        do {
            (ledger, _) = try Ledger.open(directory: directory)
            // Jobs no longer in the job file are forgotten, so the ledger stays small.
            try ledger.compact(keepingJobs: Set(jobFile.jobs.map(\.name)))
        } catch {
            logger.critical("cannot open the state directory", metadata: ["state_dir": "\(directory)", "error": "\(error)"])
            throw ExitCode(1)
        }

        CredentialFileAudit.logWarnings(environment: environment, logger: logger)
        let clients = RegionalClients(environment: environment, maxConnections: jobFile.maxConcurrency, logger: logger)
        let targets = ClientSetup.targets(of: jobFile)
        do {
            try clients.prepare(targets: targets)
        } catch {
            logger.critical("cannot configure the AppFlow client", metadata: ["error": "\(error)"])
            await clients.shutdown()
            throw ExitCode(1)
        }
        let setup = await clients.setup(targets: targets)
        let about = ["version": Appflowd.configuration.version, "config": config, "state_dir": directory]
        Self.logSetup(setup, about: about, event: "starting", logger: logger)

        let heartbeat = LoopHeartbeat()
        let loopPass = Self.loopPass(systemdWatchdog: (try? SystemdNotifier.watchdogInterval()) ?? nil, healthz: jobFile.metricsListen != nil)
        let metrics = jobFile.metricsListen == nil && jobFile.metricsFile == nil ? DaemonMetrics.disabled : .prometheus()
        let exporter: MetricsExporter
        do {
            let limits = Self.metricsLimits(jobFile: jobFile, logger: logger)
            exporter = try await MetricsExporter.start(.init(listen: jobFile.metricsListen, file: jobFile.metricsFile, limits: limits,
                                                             heartbeat: heartbeat, healthWindow: loopPass.healthWindow),
                                                       metrics: metrics, logger: logger)
        } catch {
            logger.critical("cannot serve metrics", metadata: ["error": "\(error)"])
            await clients.shutdown()
            throw ExitCode(1)
        }

        let notifier = SystemdDaemonNotifier(logger: logger)
        let configPath = config
        let grace = Duration.milliseconds(Int64(stopGrace * 1000))
        var schedulerConfiguration = Self.schedulerConfiguration(stopGrace: grace)
        schedulerConfiguration.setupNote = setup.statusNote
        schedulerConfiguration.jobMetrics = jobFile.metricsListen != nil || jobFile.metricsFile != nil
        let scheduler = SchedulerService(
            jobFile: jobFile,
            configuration: schedulerConfiguration,
            dependencies: .init(
                client: clients, clock: clock, ledger: ledger, notifier: notifier, logger: logger, metrics: metrics,
                loadJobFile: { Self.reload(path: configPath, environment: environment, clients: clients, now: clock.nowMs() / 1000, logger: logger) },
                wedgeAfterReady: Self.testFault(environment), heartbeat: heartbeat,
                checkSetup: { file in
                    let setup = await clients.setup(targets: ClientSetup.targets(of: file))
                    Self.logSetup(setup, about: about, event: "reloaded-setup", logger: logger)
                    return setup.statusNote
                }
            )
        )
        // Started in this order and stopped in reverse: the scheduler first (its calls in flight
        // get the stop grace), then the metrics, the clients, and last the ledger. Each is named:
        // without a name ServiceLifecycle describes the service by reflection, which for the
        // scheduler walks the whole job table (60% of the time to READY at 10,000 jobs).
        var groupConfiguration = ServiceGroupConfiguration(
            services: [
                .init(service: ClosingService { ledger.close() }, serviceName: "ledger"),
                .init(service: ClosingService { await clients.shutdown() }, serviceName: "clients"),
                .init(service: exporter, serviceName: "metrics"),
                .init(service: scheduler, serviceName: "scheduler"),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        // The stop grace bounds the scheduler's own wait; this is the backstop past it.
        groupConfiguration.maximumGracefulShutdownDuration = grace + .seconds(2)
        let group = ServiceGroup(configuration: groupConfiguration)
        do {
            try await group.run()
        } catch let failure as SchedulerService.Failure {
            logger.critical("stopped: the scheduler cannot go on", metadata: ["event": "stopped", "error": "\(failure)"])
            // EX_TEMPFAIL: systemd restarts the daemon, which resumes from what is on disk.
            throw ExitCode(75)
        }
        logger.notice("stopped", metadata: ["event": "stopped"])
    }

    /// The metrics listener's limits, its connections lowered so that the descriptors the
    /// scheduler needs (one StartFlow connection per `max_concurrency` and client: region and role, and headroom
    /// for the ledger, the journal and sd_notify) stay free under `LimitNOFILE=`. Computed at
    /// start: a reload that raises `max_concurrency` does not grow the listener.
    static func metricsLimits(jobFile: JobFile, logger: Logger) -> MetricsServerLimits {
        var limits = MetricsServerLimits()
        guard jobFile.metricsListen != nil else { return limits }
        let requested = limits.maxConnections
        let scheduler = jobFile.maxConcurrency * max(1, ClientSetup.targets(of: jobFile).count)
        limits.maxConnections = DescriptorBudget.metricsConnections(requested: requested, schedulerConnections: scheduler)
        if limits.maxConnections < requested {
            logger.warning("metrics connections limited by the descriptor limit", metadata: [
                "event": "metrics", "max_connections": "\(limits.maxConnections)", "scheduler_connections": "\(scheduler)",
            ])
        }
        return limits
    }

    static func schedulerConfiguration(stopGrace: Duration) -> SchedulerStateMachine.Configuration {
        var configuration = SchedulerStateMachine.Configuration(
            watchdogInterval: (try? SystemdNotifier.watchdogInterval()) ?? nil,
            stopGrace: stopGrace
        )
        // `/healthz` reads the loop's heartbeat: the loop turns at least this often.
        configuration.maxSleep = .seconds(10)
        // Within the clients' idle connection timeout, so the connection warmed is still there.
        configuration.warmLead = .seconds(2)
        configuration.presignAhead = true
        return configuration
    }

    /// SIGHUP: re-read the job file and prepare the clients of its regions. A bad file keeps the
    /// old jobs (the scheduler says so in STATUS= and the log).
    static func reload(path: String, environment: [String: String], clients: RegionalClients, now: Int64, logger: Logger)
        -> Result<JobFile, SchedulerService.ReloadProblem> {
        let (file, diagnostics) = load(path: path, environment: environment, now: now)
        let errors = diagnostics.filter { $0.severity == .error }
        for diagnostic in diagnostics {
            logger.log(level: diagnostic.severity == .error ? .error : .warning, "job file problem",
                       metadata: ["event": diagnostic.severity == .error ? "reload-failed" : "reload-warning", "diagnostic": "\(diagnostic)"])
        }
        guard let file, errors.isEmpty else {
            let first = errors.first.map { "\($0)" } ?? "cannot be loaded"
            let more = errors.count > 1 ? " (and \(errors.count - 1) more)" : ""
            return .failure(.init(summary: first + more))
        }
        do {
            try clients.prepare(targets: ClientSetup.targets(of: file))
        } catch {
            return .failure(.init(summary: "\(error)"))
        }
        return .success(file)
    }

    /// The job file and what its jobs need of the environment (a region each, ...), checked as
    /// `appflowd check` checks them: a file `check` accepts is one `run` and a reload accept.
    static func load(path: String, environment: [String: String], now: Int64) -> (jobFile: JobFile?, diagnostics: [Diagnostic]) {
        let (file, diagnostics) = JobFileLoader.load(path: path, now: now)
        guard let file else { return (nil, diagnostics) }
        let problems = ClientSetup.problems(jobFile: file, environment: environment)
        return (problems.isEmpty ? file : nil, diagnostics + problems)
    }

    /// One line on what the daemon runs with: version, files, endpoints, credential source.
    static func logSetup(_ setup: RegionalClients.Setup, about: [String: String], event: String, logger: Logger) {
        var fields = about.merging(setup.fields) { $1 }
        fields["event"] = event
        let metadata = fields.mapValues { Logger.MetadataValue.string($0) }
        if setup.credentialProblem != nil {
            logger.error("no usable AWS credentials: every start will fail", metadata: metadata)
        } else if !setup.roleProblems.isEmpty {
            logger.error("a role cannot be assumed: the starts of the jobs using it will fail", metadata: metadata)
        } else {
            logger.notice("using", metadata: metadata)
        }
    }

    /// Test-only: `APPFLOWD_TEST_FAULT=wedge-after-ready` wedges the scheduling loop 2 s after
    /// READY, so tests/systemd can show systemd's watchdog killing a stuck daemon.
    static func testFault(_ environment: [String: String]) -> Duration? {
        environment["APPFLOWD_TEST_FAULT"] == "wedge-after-ready" ? .seconds(2) : nil
    }

    /// How often the scheduling loop goes round at the least, and how old its last pass may be
    /// before `/healthz` says 503. The loop wakes at least every `watchdogInterval` (half of
    /// systemd's `WatchdogSec`); without a systemd watchdog but with `/healthz` it wakes every
    /// 10 s, so that the heartbeat stays fresh (the extra `WATCHDOG=1` is a no-op without
    /// `NOTIFY_SOCKET`, and systemd ignores it without `WatchdogSec`). A loop that misses four
    /// passes, and at least a minute, is reported stalled.
    static func loopPass(systemdWatchdog: Duration?, healthz: Bool) -> (interval: Duration?, healthWindow: Duration) {
        let interval = systemdWatchdog ?? (healthz ? .seconds(10) : nil)
        return (interval, max(.seconds(60), (interval ?? .seconds(10)) * 4))
    }

    static func stateDirectory(explicit: String?, environment: [String: String]) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        // systemd's StateDirectory= may list several, separated by ':'.
        if let fromSystemd = environment["STATE_DIRECTORY"]?.split(separator: ":").first, !fromSystemd.isEmpty {
            return String(fromSystemd)
        }
        return "/var/lib/appflowd"
    }
}
