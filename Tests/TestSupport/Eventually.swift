/// Polls `condition` until it holds, sleeping (never blocking a thread) between tries, and
/// throws `TimedOut` when `limit` passes first. The limit is a bound on a wait for something
/// real (a process, a file, journald), generous for a loaded machine; it never measures speed.
package func eventually(
    _ what: String = "condition",
    within limit: Duration = .seconds(30),
    pollingEvery interval: Duration = .milliseconds(10),
    log: @autoclosure () -> String = "",
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + limit
    while try await !condition() {
        if ContinuousClock.now > deadline { throw TimedOut(what: what, log: log()) }
        try await Task.sleep(for: interval)
    }
}

/// A bounded wait that ran out; `log` is what the awaited process said, for the failure message.
package struct TimedOut: Error, CustomStringConvertible {
    package var what: String
    package var log: String

    package init(what: String, log: String = "") {
        self.what = what
        self.log = log
    }

    package var description: String {
        log.isEmpty ? "timed out waiting for \(what)" : "timed out waiting for \(what)\n\(log.suffix(3000))"
    }
}
