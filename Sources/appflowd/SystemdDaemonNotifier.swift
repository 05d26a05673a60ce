import Daemon
import Logging
import Systemd

/// `DaemonNotifier` over libsystemd's `sd_notify`. A failed notification is logged, never fatal:
/// the daemon's work matters more than its report.
struct SystemdDaemonNotifier: DaemonNotifier {
    let notifier = SystemdNotifier()
    let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    var isEnabled: Bool { notifier.isEnabled }

    private func attempt(_ what: String, _ body: () throws -> Void) {
        do {
            try body()
        } catch {
            logger.warning("sd_notify failed", metadata: ["notification": "\(what)", "error": "\(error)"])
        }
    }

    func ready(status: String) { attempt("READY") { try notifier.ready(status: status) } }
    func reloading(status: String) { attempt("RELOADING") { try notifier.reloading(status: status) } }
    func stopping(status: String) { attempt("STOPPING") { try notifier.stopping(status: status) } }
    func status(_ text: String) { attempt("STATUS") { try notifier.status(text) } }
    func watchdog() { attempt("WATCHDOG") { try notifier.watchdog() } }
}
