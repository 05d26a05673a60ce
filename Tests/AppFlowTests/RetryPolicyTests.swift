import Testing
@testable import AppFlow

@Suite(.timeLimit(.minutes(5))) struct RetryPolicyTests {
    static func service(_ code: String, _ status: Int, retryAfter: Double? = nil) -> AppFlowServiceError {
        AppFlowServiceError(code: code, message: "m", statusCode: status, retryAfter: retryAfter)
    }

    // SPEC section 4: what is retried and what is not.
    static let retryable: [(any Error & Sendable, Bool)] = [
        (service("InternalServerException", 500), true),
        (service("ThrottlingException", 429), true),
        (service("TooManyRequestsException", 429), true),
        (service("429", 429), true),
        (service("502", 502), true),
        (service("503", 503), true),
        (service("504", 504), true),
        (AppFlowTransportError(.connect, "refused"), true),
        (AppFlowTransportError(.timeout, "read"), true),
        (AppFlowTransportError(.connectionClosed, "eof"), true),
        (service("ResourceNotFoundException", 404), false),
        (service("ServiceQuotaExceededException", 402), false),
        (service("ConflictException", 409), false),
        (service("ValidationException", 400), false),
        (service("AccessDeniedException", 403), false),
        (service("InvalidSignatureException", 403), false),
        (service("UnrecognizedClientException", 403), false),
        (AppFlowTransportError(.malformedResponse, "bad json"), false),
    ]

    @Test(arguments: 0..<retryable.count)
    func classifiesErrors(_ index: Int) {
        let (error, expected) = Self.retryable[index]
        #expect(RetryPolicy.isRetryable(error) == expected, "\(error)")
    }

    @Test(arguments: [
        // attempt, random, expected backoff (ms): full jitter in [0, min(max, initial * 2^(attempt-1))]
        (1, 0.5, 500), (2, 0.5, 1000), (3, 0.999, 3996), (4, 0.25, 2000),
        (8, 1.0, 120_000), (30, 0.5, 60_000), (1, 0.0, 0),
    ])
    func fullJitterBackoff(attempt: Int, random: Double, expectedMs: Int64) {
        let policy = RetryPolicy(maxAttempts: 50, initialBackoff: .seconds(1), maxBackoff: .seconds(120), deadline: .seconds(3600))
        #expect(policy.backoff(attempt: attempt, random: random).milliseconds == expectedMs)
    }

    @Test func retriesThenGivesUpAfterMaxAttempts() {
        let policy = RetryPolicy(maxAttempts: 3)
        let error = Self.service("InternalServerException", 500)
        #expect(policy.decide(error: error, attempt: 1, elapsed: .zero, random: 0.5) == .retry(after: .milliseconds(500)))
        #expect(policy.decide(error: error, attempt: 2, elapsed: .seconds(1), random: 0.5) == .retry(after: .milliseconds(1000)))
        #expect(policy.decide(error: error, attempt: 3, elapsed: .seconds(2), random: 0.5) == .giveUp(reason: .attemptsExhausted))
    }

    @Test func permanentErrorsAreNotRetried() {
        let decision = RetryPolicy().decide(error: Self.service("ResourceNotFoundException", 404), attempt: 1, elapsed: .zero, random: 0.5)
        #expect(decision == .giveUp(reason: .notRetryable))
    }

    @Test func honoursRetryAfter() {
        let error = Self.service("ThrottlingException", 429, retryAfter: 3)
        #expect(RetryPolicy().decide(error: error, attempt: 1, elapsed: .zero, random: 0.1) == .retry(after: .seconds(3)))
    }

    @Test func stopsAtTheDeadline() {
        let policy = RetryPolicy(maxAttempts: 100, initialBackoff: .seconds(10), maxBackoff: .seconds(10), deadline: .seconds(60))
        let error = Self.service("InternalServerException", 500)
        #expect(policy.decide(error: error, attempt: 5, elapsed: .seconds(49), random: 1) == .retry(after: .seconds(10)))
        #expect(policy.decide(error: error, attempt: 6, elapsed: .seconds(55), random: 1) == .giveUp(reason: .deadlineExceeded))
    }

    @Test func neverSendsATokenPastItsSafeLife() {
        let policy = RetryPolicy(maxAttempts: 100, initialBackoff: .seconds(60), maxBackoff: .seconds(60), deadline: .seconds(10 * 3600))
        let error = Self.service("InternalServerException", 500)
        let almost = RetryPolicy.tokenSafeLife - .seconds(30)
        #expect(policy.decide(error: error, attempt: 9, elapsed: almost, random: 1) == .giveUp(reason: .tokenExpired))
        #expect(policy.decide(error: error, attempt: 9, elapsed: almost, random: 0.4) == .retry(after: .seconds(24)))
    }
}
