import AppFlow
import Foundation
import TestSupport
import JobFile
import Ledger
import Logging
import Scheduler
import ServiceLifecycle
import Synchronization
@testable import Daemon
@testable import MetricsExport

/// `SchedulerService` in a `ServiceGroup`, with a manual clock, a scripted AppFlow, a real ledger
/// in a temporary directory and Prometheus metrics: the executor as the daemon runs it.
final class ServiceHarness: Sendable {
    static let t0: Int64 = 1_800_000_000

    let clock: ManualClock
    let starter: any FlowStarter
    let notifier = RecordingNotifier()
    let ledger: Ledger
    let metrics = DaemonMetrics.prometheus()
    let directory: String
    let group: ServiceGroup
    let running: Task<Void, any Error>
    let reloads: AsyncStream<Void>.Continuation
    let nextFile: NextFile

    init(_ toml: String, nowMs: Int64 = t0 * 1000, starter: any FlowStarter = FakeStarter(), directory: String = temporaryDirectory(),
         watchdog: Duration? = nil, stopGrace: Duration = .seconds(5)) async throws {
        clock = ManualClock(nowMs: nowMs)
        self.starter = starter
        self.directory = directory
        (ledger, _) = try Ledger.open(directory: directory)
        var logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        logger.logLevel = .critical
        let (requests, reloads) = AsyncStream.makeStream(of: Void.self)
        self.reloads = reloads
        let nextFile = NextFile()
        self.nextFile = nextFile
        let service = SchedulerService(
            jobFile: try jobFile(toml),
            configuration: .init(watchdogInterval: watchdog, stopGrace: stopGrace),
            dependencies: .init(
                client: starter, clock: clock, ledger: ledger, notifier: notifier, logger: logger, metrics: metrics,
                random: { 0.5 },
                loadJobFile: {
                    guard let file = nextFile.value.withLock({ $0 }) else { return .failure(.init(summary: "test.toml:1:1: error: broken")) }
                    return .success(file)
                },
                reloadRequests: requests
            )
        )
        group = ServiceGroup(services: [service], logger: logger)
        let group = self.group
        running = Task { try await group.run() }
        // READY is sent before the first timer is armed.
        try await clock.waitForArms(1)
    }

    var samples: Samples { Samples(text: metrics.exposition()) }

    /// Slots started (any flow).
    var started: Double { samples.sum("appflowd_starts_total", ["outcome": "started"]) }
    var skipped: Double { samples.sum("appflowd_starts_total", ["outcome": "skipped"]) }

    /// Moves the clock and waits until the loop has handled the tick it caused.
    func advance(to ms: Int64) async throws {
        let arms = clock.armCount
        let wakes = clock.nextArmedMs.map { $0 <= ms } ?? false
        clock.advance(to: ms)
        if wakes { try await clock.waitForArms(arms + 1) }
    }

    /// A reload with this file (nil: a file that does not load).
    func reload(_ toml: String?) async throws {
        let file = try toml.map { try jobFile($0) }
        nextFile.value.withLock { $0 = file }
        let before = notifier.all.filter { $0.hasPrefix("READY=1") }.count
        reloads.yield()
        try await eventually("READY after reload") { notifier.all.filter { $0.hasPrefix("READY=1") }.count > before }
    }

    /// Stops the service and closes the ledger; the directory is removed unless `keep`.
    func stop(keep: Bool = false) async throws {
        await group.triggerGracefulShutdown()
        try await running.value
        ledger.close()
        if !keep { try? FileManager.default.removeItem(atPath: directory) }
    }
}

/// The job file the next reload reads.
final class NextFile: Sendable {
    let value = Mutex<JobFile?>(nil)
}
