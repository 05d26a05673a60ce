import JobFile
import Scheduling

/// What to do after a failed attempt.
package enum RetryDecision: Sendable, Equatable {
    case retry(after: Duration)
    case giveUp(reason: GiveUpReason)
}

package enum GiveUpReason: Sendable, Equatable {
    /// The error is permanent (not found, validation, access, signature...).
    case notRetryable
    /// `max_attempts` attempts were made.
    case attemptsExhausted
    /// The next attempt would come after the retry deadline.
    case deadlineExceeded
    /// The next attempt would come after the token's safe life (7h45m after its first send): the
    /// slot's outcome cannot be known any more.
    case tokenExpired
}

/// The retry rules of SPEC section 4, as a pure function of the job's `[retry]` settings: no
/// clock, no dice.
///
/// Backoff is exponential with full jitter (AWS's "full jitter": a uniform draw in
/// `[0, min(maxBackoff, initialBackoff * 2^(attempt-1))]`), never less than a `Retry-After` the
/// endpoint asked for.
extension RetrySettings {
    /// AppFlow keeps a client token for 8 hours; we stop sending it well before.
    package static var tokenSafeLife: Duration { JobFileLimits.tokenSafeLife }

    /// - Parameters:
    ///   - attempt: the number of the attempt that just failed, from 1.
    ///   - sinceFirstAttempt: time since this slot's first attempt, for `deadline`.
    ///   - tokenAge: time since the token was first sent (or recorded as about to be sent, which
    ///     may be earlier, e.g. before a restart), for the token's safe life.
    ///   - random: a uniform draw in [0, 1), injected so tests can fix it.
    package func decide(failure: CallFailure, attempt: Int, sinceFirstAttempt: Duration, tokenAge: Duration, random: Double) -> RetryDecision {
        guard failure.retryable else { return .giveUp(reason: .notRetryable) }
        guard attempt < maxAttempts else { return .giveUp(reason: .attemptsExhausted) }
        var wait = backoff(attempt: attempt, random: random)
        if let retryAfter = failure.retryAfter { wait = max(wait, retryAfter) }
        if tokenAge + wait > Self.tokenSafeLife { return .giveUp(reason: .tokenExpired) }
        if sinceFirstAttempt + wait > deadline { return .giveUp(reason: .deadlineExceeded) }
        return .retry(after: wait)
    }

    /// Full-jitter backoff after failed attempt number `attempt` (from 1).
    package func backoff(attempt: Int, random: Double) -> Duration {
        let exponent = min(max(attempt - 1, 0), 40)
        let initialMs = Double(initialBackoff.milliseconds)
        let capMs = min(Double(maxBackoff.milliseconds), initialMs * Double(Int64(1) << Int64(exponent)))
        let draw = min(max(random, 0), 1)
        return .milliseconds(Int64((capMs * draw).rounded(.down)))
    }
}
