/// How one slot's StartFlow call is retried (`[retry]`, overridable per job with `[job.retry]`).
package struct RetrySettings: Sendable, Equatable {
    package var maxAttempts: Int
    package var initialBackoff: Duration
    package var maxBackoff: Duration
    /// No attempt later than this after the slot's first attempt; at most ``JobFileLimits/tokenSafeLife``.
    package var deadline: Duration

    package init(maxAttempts: Int = 8, initialBackoff: Duration = .seconds(1), maxBackoff: Duration = .seconds(120), deadline: Duration = .seconds(1800)) {
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.deadline = deadline
    }
}

/// Which slots missed while the daemon was down are started when it comes back.
package enum CatchUp: String, Sendable, CaseIterable {
    case latest, all, skip
}

/// With `wait = true`: whether a slot starts while the job's previous run is still in progress.
package enum Overlap: String, Sendable, CaseIterable {
    case skip, allow
}

/// Bounds the loader enforces.
package enum JobFileLimits {
    /// AppFlow keeps a client token for 8 hours; appflowd never sends one later than this after its
    /// first send, so retry deadlines and catch-up windows may not exceed it.
    package static let tokenSafeLife: Duration = .seconds(7 * 3600 + 45 * 60)
    /// Larger files are refused before parsing.
    package static let maxFileBytes = 64 << 20
}
