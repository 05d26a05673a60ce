import ArgumentParser
import Daemon
import Foundation
import JobFile
import Ledger
import Logging
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

        let (loaded, diagnostics) = JobFileLoader.load(path: config, now: clock.nowMs() / 1000)
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

        let clients = RegionalClients(environment: environment, maxConnections: jobFile.maxConcurrency, logger: logger)
        do {
            let regions = try clients.prepare(regions: Set(jobFile.jobs.map(\.region)))
            logger.info("AppFlow client ready", metadata: ["regions": "\(regions.joined(separator: ","))"])
        } catch {
            logger.critical("cannot configure the AppFlow client", metadata: ["error": "\(error)"])
            await clients.shutdown()
            throw ExitCode(1)
        }

        let heartbeat = LoopHeartbeat()
        let loopPass = Self.loopPass(systemdWatchdog: (try? SystemdNotifier.watchdogInterval()) ?? nil, healthz: jobFile.metricsListen != nil)
        let metrics = jobFile.metricsListen == nil && jobFile.metricsFile == nil ? DaemonMetrics.disabled : .prometheus()
        let exporter: MetricsExporter?
        do {
            exporter = try await MetricsExporter.start(.init(listen: jobFile.metricsListen, file: jobFile.metricsFile,
                                                             heartbeat: heartbeat, healthWindow: loopPass.healthWindow),
                                                       metrics: metrics, logger: logger)
        } catch {
            logger.critical("cannot serve metrics", metadata: ["error": "\(error)"])
            await clients.shutdown()
            throw ExitCode(1)
        }

        let notifier = SystemdDaemonNotifier(logger: logger)
        var dependencies = DaemonRuntime.Dependencies(
            client: clients,
            clock: clock,
            ledger: ledger,
            notifier: notifier,
            logger: logger,
            watchdogInterval: loopPass.interval,
            stopGrace: .milliseconds(Int64(stopGrace * 1000)),
            wedgeAfterReady: Self.testFault(environment),
            metrics: metrics
        )
        dependencies.heartbeat = heartbeat
        let runtime = DaemonRuntime(jobFile: jobFile, dependencies: dependencies)
        let service = DaemonService(runtime: runtime, configPath: config, clients: clients, notifier: notifier, logger: logger, now: { clock.nowMs() })
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: service)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))
        try await group.run()
        await exporter?.stop()
        ledger.close()
        logger.notice("stopped", metadata: ["event": "stopped"])
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
