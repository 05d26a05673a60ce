import Foundation
import JobFile
import Logging
import ServiceLifecycle
import UnixSignals

/// The daemon as a swift-service-lifecycle service: the scheduling loop, SIGHUP as reload, and
/// graceful shutdown (SIGTERM/SIGINT, wired by the `ServiceGroup`) as `DaemonRuntime.stop()`.
package struct DaemonService: Service {
    let runtime: DaemonRuntime
    let configPath: String
    let clients: RegionalClients
    let notifier: any DaemonNotifier
    let logger: Logger
    let now: @Sendable () -> Int64

    package init(runtime: DaemonRuntime, configPath: String, clients: RegionalClients, notifier: any DaemonNotifier, logger: Logger, now: @escaping @Sendable () -> Int64) {
        self.runtime = runtime
        self.configPath = configPath
        self.clients = clients
        self.notifier = notifier
        self.logger = logger
        self.now = now
    }

    package func run() async throws {
        let runtime = self.runtime
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await runtime.run() }
                group.addTask {
                    for await _ in await UnixSignalsSequence(trapping: .sighup) {
                        await self.reload()
                    }
                }
                await group.next()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            Task { await runtime.stop() }
        }
        await clients.shutdown()
    }

    /// SIGHUP: RELOADING=1, re-read the job file, READY=1. A bad file keeps the old jobs.
    func reload() async {
        notifier.reloading(status: "reloading \(configPath)")
        let (file, diagnostics) = JobFileLoader.load(path: configPath, now: now() / 1000)
        let errors = diagnostics.filter { $0.severity == .error }
        if let file, errors.isEmpty {
            do {
                try clients.prepare(regions: Set(file.jobs.map(\.region)))
                await runtime.reload(file)
            } catch {
                await runtime.reloadFailed("\(error)")
            }
        } else {
            let first = errors.first.map { "\($0)" } ?? "cannot be loaded"
            let more = errors.count > 1 ? " (and \(errors.count - 1) more)" : ""
            for error in errors {
                logger.error("job file problem", metadata: ["event": "reload-failed", "diagnostic": "\(error)"])
            }
            await runtime.reloadFailed(first + more)
        }
        notifier.ready(status: await runtime.statusText)
    }
}
