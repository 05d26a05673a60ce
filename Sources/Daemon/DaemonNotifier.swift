/// What the daemon tells its supervisor. systemd's `sd_notify` in production; a recorder in tests.
package protocol DaemonNotifier: Sendable {
    func ready(status: String)
    func reloading(status: String)
    func stopping(status: String)
    func status(_ text: String)
    func watchdog()
}

/// For runs without a supervisor.
package struct NoNotifier: DaemonNotifier {
    package init() {}
    package func ready(status: String) {}
    package func reloading(status: String) {}
    package func stopping(status: String) {}
    package func status(_ text: String) {}
    package func watchdog() {}
}
