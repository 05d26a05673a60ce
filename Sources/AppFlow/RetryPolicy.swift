import Foundation

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

/// The retry rules of SPEC section 4, as a pure function: no clock, no dice.
///
/// Backoff is exponential with full jitter (AWS's "full jitter": a uniform draw in
/// `[0, min(maxBackoff, initialBackoff * 2^(attempt-1))]`), never less than a `Retry-After` the
/// endpoint asked for.
package struct RetryPolicy: Sendable, Equatable {
    package var maxAttempts: Int
    package var initialBackoff: Duration
    package var maxBackoff: Duration
    /// No attempt later than this after the slot's first attempt.
    package var deadline: Duration

    /// AppFlow keeps a client token for 8 hours; we stop sending it well before.
    package static let tokenSafeLife: Duration = .seconds(7 * 3600 + 45 * 60)

    package init(maxAttempts: Int = 8, initialBackoff: Duration = .seconds(1), maxBackoff: Duration = .seconds(120), deadline: Duration = .seconds(1800)) {
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.deadline = deadline
    }

    /// Is this failure worth another attempt with the same token?
    package static func isRetryable(_ error: any Error) -> Bool {
        switch error {
        case let service as AppFlowServiceError:
            switch service.code {
            case "InternalServerException", "ThrottlingException", "TooManyRequestsException",
                 "Throttling", "ThrottledException", "RequestLimitExceeded", "ServiceUnavailable",
                 "ServiceUnavailableException", "RequestTimeout", "RequestTimeoutException":
                return true
            default:
                return [429, 502, 503, 504].contains(service.statusCode)
                    || (service.statusCode >= 500 && service.code == String(service.statusCode))
            }
        case let transport as AppFlowTransportError:
            // A malformed answer would come back the same: retrying it only adds load.
            return transport.kind != .malformedResponse
        default:
            return false
        }
    }

    /// - Parameters:
    ///   - attempt: the number of the attempt that just failed, from 1.
    ///   - firstSentAt: when the token was first sent; `now`: the present; both on one clock.
    ///   - random: a uniform draw in [0, 1), injected so tests can fix it.
    package func decide(error: any Error, attempt: Int, firstSentAt: ContinuousClock.Instant, now: ContinuousClock.Instant, random: Double) -> RetryDecision {
        decide(error: error, attempt: attempt, elapsed: firstSentAt.duration(to: now), random: random)
    }

    /// The same decision with the time since the first send given directly.
    package func decide(error: any Error, attempt: Int, elapsed: Duration, random: Double) -> RetryDecision {
        decide(error: error, attempt: attempt, sinceFirstAttempt: elapsed, tokenAge: elapsed, random: random)
    }

    /// - Parameters:
    ///   - sinceFirstAttempt: time since this slot's first attempt, for `deadline`.
    ///   - tokenAge: time since the token was first sent (or recorded as about to be sent, which
    ///     may be earlier, e.g. before a restart), for the token's safe life.
    package func decide(error: any Error, attempt: Int, sinceFirstAttempt: Duration, tokenAge: Duration, random: Double) -> RetryDecision {
        guard Self.isRetryable(error) else { return .giveUp(reason: .notRetryable) }
        guard attempt < maxAttempts else { return .giveUp(reason: .attemptsExhausted) }
        var wait = backoff(attempt: attempt, random: random)
        if let service = error as? AppFlowServiceError, let retryAfter = service.retryAfter {
            wait = max(wait, .milliseconds(Int64((retryAfter * 1000).rounded(.up))))
        }
        if tokenAge + wait > Self.tokenSafeLife { return .giveUp(reason: .tokenExpired) }
        if sinceFirstAttempt + wait > deadline { return .giveUp(reason: .deadlineExceeded) }
        return .retry(after: wait)
    }

    /// Full-jitter backoff after failed attempt number `attempt` (from 1).
    package func backoff(attempt: Int, random: Double) -> Duration {
        let exponent = min(max(attempt - 1, 0), 40)
        let initialMs = Double(initialBackoff.milliseconds)
        let capMs = min(Double(maxBackoff.milliseconds), initialMs * pow(2, Double(exponent)))
        let draw = min(max(random, 0), 1)
        return .milliseconds(Int64((capMs * draw).rounded(.down)))
    }
}

extension Duration {
    /// Whole milliseconds, rounded toward zero.
    package var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
