import JobFile
import Scheduling
import Testing
@testable import Scheduler

/// SPEC section 4's retry rules as a pure decision over `[retry]`.
@Suite(.timeLimit(.minutes(1)))
struct RetryDecisionTests {
    static let transient = CallFailure(code: "InternalServerException", message: "m", retryable: true)

    @Test(arguments: [
        // attempt, random, expected backoff (ms): full jitter in [0, min(max, initial * 2^(attempt-1))]
        (1, 0.5, 500), (2, 0.5, 1000), (3, 0.999, 3996), (4, 0.25, 2000),
        (8, 1.0, 120_000), (30, 0.5, 60_000), (1, 0.0, 0),
    ] as [(Int, Double, Int64)])
    func fullJitterBackoff(attempt: Int, random: Double, expectedMs: Int64) {
        let retry = RetrySettings(maxAttempts: 50, initialBackoff: .seconds(1), maxBackoff: .seconds(120), deadline: .seconds(3600))
        #expect(retry.backoff(attempt: attempt, random: random).milliseconds == expectedMs)
    }

    @Test func retriesThenGivesUpAfterMaxAttempts() {
        let retry = RetrySettings(maxAttempts: 3)
        #expect(retry.decide(failure: Self.transient, attempt: 1, sinceFirstAttempt: .zero, tokenAge: .zero, random: 0.5) == .retry(after: .milliseconds(500)))
        #expect(retry.decide(failure: Self.transient, attempt: 2, sinceFirstAttempt: .seconds(1), tokenAge: .seconds(1), random: 0.5) == .retry(after: .milliseconds(1000)))
        #expect(retry.decide(failure: Self.transient, attempt: 3, sinceFirstAttempt: .seconds(2), tokenAge: .seconds(2), random: 0.5) == .giveUp(reason: .attemptsExhausted))
    }

    @Test func permanentErrorsAreNotRetried() {
        let failure = CallFailure(code: "ResourceNotFoundException", message: "m", retryable: false)
        #expect(RetrySettings().decide(failure: failure, attempt: 1, sinceFirstAttempt: .zero, tokenAge: .zero, random: 0.5) == .giveUp(reason: .notRetryable))
    }

    @Test func honoursRetryAfter() {
        let failure = CallFailure(code: "ThrottlingException", message: "m", retryable: true, retryAfter: .seconds(3))
        #expect(RetrySettings().decide(failure: failure, attempt: 1, sinceFirstAttempt: .zero, tokenAge: .zero, random: 0.1) == .retry(after: .seconds(3)))
    }

    @Test func stopsAtTheDeadline() {
        let retry = RetrySettings(maxAttempts: 100, initialBackoff: .seconds(10), maxBackoff: .seconds(10), deadline: .seconds(60))
        #expect(retry.decide(failure: Self.transient, attempt: 5, sinceFirstAttempt: .seconds(49), tokenAge: .seconds(49), random: 1) == .retry(after: .seconds(10)))
        #expect(retry.decide(failure: Self.transient, attempt: 6, sinceFirstAttempt: .seconds(55), tokenAge: .seconds(55), random: 1) == .giveUp(reason: .deadlineExceeded))
    }

    @Test func neverSendsATokenPastItsSafeLife() {
        let retry = RetrySettings(maxAttempts: 100, initialBackoff: .seconds(60), maxBackoff: .seconds(60), deadline: .seconds(10 * 3600))
        let almost = RetrySettings.tokenSafeLife - .seconds(30)
        #expect(retry.decide(failure: Self.transient, attempt: 9, sinceFirstAttempt: almost, tokenAge: almost, random: 1) == .giveUp(reason: .tokenExpired))
        #expect(retry.decide(failure: Self.transient, attempt: 9, sinceFirstAttempt: almost, tokenAge: almost, random: 0.4) == .retry(after: .seconds(24)))
    }
}
