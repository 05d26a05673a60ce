import Logging

extension Logger.Level {
    /// The syslog priority journald files this level under (`PRIORITY=`, `journalctl -p`).
    ///
    /// swift-log has no `alert` or `emergency`: `critical` is the most severe and maps to
    /// `LOG_CRIT`; `trace` and `debug` share `LOG_DEBUG`.
    var syslogPriority: Int {
        switch self {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }
}
