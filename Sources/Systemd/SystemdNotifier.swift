import CSystemd

#if canImport(Glibc)
import Glibc
#endif

/// Sends service state to systemd through libsystemd's `sd_notify`.
///
/// `sd_notify` reads `NOTIFY_SOCKET` from the process environment on every call, so a notifier
/// holds no state and is free to copy. Without `NOTIFY_SOCKET` every call is a no-op that
/// returns `false`; a failed send throws ``SystemdError`` with `function == "sd_notify"`.
///
/// Texts passed as `STATUS=` are put on one line (newlines become spaces) so that text from an
/// error message can never inject another assignment such as `READY=1` into the datagram.
package struct SystemdNotifier: Sendable {
    /// Leave `NOTIFY_SOCKET` in the environment: the daemon notifies for its whole lifetime.
    private let unsetEnvironment: Int32 = 0

    package init() {}

    /// Whether `NOTIFY_SOCKET` is set, i.e. whether notifications go anywhere.
    package var isEnabled: Bool {
        guard let value = getenv("NOTIFY_SOCKET") else { return false }
        return value.pointee != 0
    }

    /// Sends `state` verbatim, e.g. `"READY=1\nSTATUS=3 jobs"`.
    ///
    /// - Returns: `true` when the datagram was sent, `false` when `NOTIFY_SOCKET` is unset.
    /// - Throws: ``SystemdError`` when `sd_notify` returns a negative errno.
    @discardableResult
    package func notify(_ state: String) throws -> Bool {
        let result = sd_notify(unsetEnvironment, state)
        if result < 0 {
            throw SystemdError(returnValue: result, function: "sd_notify")
        }
        return result > 0
    }

    /// `READY=1`, with an optional `STATUS=`: send only once jobs, state and timers are in place.
    package func ready(status: String?) throws {
        try notify(Self.state("READY=1", status: status))
    }

    /// `RELOADING=1` with `MONOTONIC_USEC=` taken from `CLOCK_MONOTONIC` now, as
    /// `Type=notify-reload` requires; follow it with ``ready(status:)`` once reloaded.
    package func reloading(status: String?) throws {
        let now = try Self.monotonicMicroseconds()
        try notify(Self.state("RELOADING=1\nMONOTONIC_USEC=\(now)", status: status))
    }

    /// `STOPPING=1`, with an optional `STATUS=`.
    package func stopping(status: String?) throws {
        try notify(Self.state("STOPPING=1", status: status))
    }

    /// `STATUS=` alone.
    package func status(_ text: String) throws {
        try notify("STATUS=" + Self.singleLine(text))
    }

    /// `WATCHDOG=1`. Send it from the loop whose liveness it vouches for.
    package func watchdog() throws {
        try notify("WATCHDOG=1")
    }

    /// Half of `WATCHDOG_USEC`, the interval at which to send ``watchdog()``, or `nil` when no
    /// watchdog applies to this process (unset, or `WATCHDOG_PID` names another process).
    ///
    /// - Throws: ``SystemdError`` (`sd_watchdog_enabled`) when the variables are malformed.
    package static func watchdogInterval() throws -> Duration? {
        var usec: UInt64 = 0
        let result = sd_watchdog_enabled(0, &usec)
        if result < 0 {
            throw SystemdError(returnValue: result, function: "sd_watchdog_enabled")
        }
        guard result > 0, usec > 0 else { return nil }
        // usec / 2 fits in Int64 for every UInt64, so the conversion cannot trap.
        return .microseconds(Int64(usec / 2))
    }

    static func state(_ assignment: String, status: String?) -> String {
        guard let status else { return assignment }
        return assignment + "\nSTATUS=" + singleLine(status)
    }

    /// sd_notify's format is newline-separated `KEY=value` lines.
    static func singleLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }

    /// `CLOCK_MONOTONIC` in microseconds, the clock systemd compares `MONOTONIC_USEC` with.
    /// Read directly: Swift's clocks do not promise which POSIX clock they use.
    static func monotonicMicroseconds() throws -> UInt64 {
        var now = timespec()
        guard clock_gettime(CLOCK_MONOTONIC, &now) == 0 else {
            throw SystemdError(errno: Glibc.errno, function: "clock_gettime")
        }
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
    }
}
