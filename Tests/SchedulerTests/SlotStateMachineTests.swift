import JobFile
import Testing
@testable import Scheduler

/// Event -> action sequences, no network, no clock.
@Suite(.timeLimit(.minutes(1)))
struct SlotStateMachineTests {
    let policy = RetrySettings(maxAttempts: 3, initialBackoff: .seconds(1), maxBackoff: .seconds(10), deadline: .seconds(60))
    let t: Int64 = 1_800_000_000_000
    static func service(_ code: String, _ status: Int) -> CallFailure {
        CallFailure(code: code, message: "msg", retryable: ["ThrottlingException", "InternalServerException"].contains(code))
    }
    static func transport(_ code: String, _ message: String) -> CallFailure {
        CallFailure(code: code, message: message, retryable: true)
    }

    @Test func startedFirstTime() {
        var machine = SlotStateMachine(retry: policy, wait: false, tokenFirstSentMs: t)
        #expect(machine.admit(nowMs: t) == .send(attempt: 1))
        let action = machine.startSucceeded(StartAnswer(executionId: "e1", flowStatus: "Active"))
        guard case .record(let outcome) = action else { Issue.record("\(action)"); return }
        #expect(outcome.outcome == .started && outcome.final && outcome.executionId == "e1" && outcome.attempts == 1)
        #expect(machine.state == .finished(.started))
    }

    @Test func retriesTransientErrorsThenStarts() {
        var machine = SlotStateMachine(retry: policy, wait: false, tokenFirstSentMs: t)
        _ = machine.admit(nowMs: t)
        #expect(machine.startFailed(Self.service("ThrottlingException", 429), nowMs: t + 100, random: 0.5)
                == .retry(after: .milliseconds(500), attempt: 1, failure: Self.service("ThrottlingException", 429)))
        #expect(machine.state == .backoff(attempt: 1))
        #expect({ machine.backoffEnded(); return machine.admit(nowMs: t + 600) }() == .send(attempt: 2))
        #expect(machine.startFailed(Self.transport("Timeout", "read"), nowMs: t + 700, random: 0.5)
                == .retry(after: .milliseconds(1000), attempt: 2, failure: Self.transport("Timeout", "read")))
        #expect({ machine.backoffEnded(); return machine.admit(nowMs: t + 1700) }() == .send(attempt: 3))
        guard case .record(let outcome) = machine.startSucceeded(StartAnswer(executionId: "e", flowStatus: nil)) else { Issue.record("no record"); return }
        #expect(outcome.attempts == 3)
    }

    @Test func givesUpAfterMaxAttempts() {
        var machine = SlotStateMachine(retry: policy, wait: false, tokenFirstSentMs: t)
        _ = machine.admit(nowMs: t)
        for attempt in 1...2 {
            guard case .retry = machine.startFailed(Self.service("InternalServerException", 500), nowMs: t, random: 0) else {
                Issue.record("attempt \(attempt) not retried"); return
            }
            _ = { machine.backoffEnded(); return machine.admit(nowMs: t) }()
        }
        guard case .record(let outcome) = machine.startFailed(Self.service("InternalServerException", 500), nowMs: t, random: 0) else {
            Issue.record("no record"); return
        }
        #expect(outcome.outcome == .failed && outcome.errorCode == "InternalServerException" && outcome.attempts == 3)
        #expect(outcome.message?.contains("gave up after 3 attempts") == true)
    }

    @Test func permanentErrorFailsAtOnceAndConflictIsASkip() {
        var machine = SlotStateMachine(retry: policy, wait: false, tokenFirstSentMs: t)
        _ = machine.admit(nowMs: t)
        guard case .record(let failed) = machine.startFailed(Self.service("ResourceNotFoundException", 404), nowMs: t, random: 0.5) else { return }
        #expect(failed.outcome == .failed && failed.attempts == 1)

        var conflicting = SlotStateMachine(retry: policy, wait: false, tokenFirstSentMs: t)
        _ = conflicting.admit(nowMs: t)
        guard case .record(let skipped) = conflicting.startFailed(Self.service("ConflictException", 409), nowMs: t, random: 0.5) else { return }
        #expect(skipped.outcome == .skipped && skipped.message == "msg")
    }

    @Test func deadlineAndTokenAgeCutOffs() {
        var late = SlotStateMachine(retry: RetrySettings(maxAttempts: 99, initialBackoff: .seconds(10), maxBackoff: .seconds(10), deadline: .seconds(60)), wait: false, tokenFirstSentMs: t)
        _ = late.admit(nowMs: t)
        guard case .record(let deadline) = late.startFailed(Self.service("InternalServerException", 500), nowMs: t + 55_000, random: 1) else {
            Issue.record("expected give-up"); return
        }
        #expect(deadline.outcome == .failed && deadline.message?.contains("deadline") == true)

        // A slot resumed after a restart whose token was first sent 7h44m ago: one more retry would pass 7h45m.
        let old = t - (7 * 3600 + 44 * 60) * 1000
        var resumed = SlotStateMachine(retry: RetrySettings(maxAttempts: 99, initialBackoff: .seconds(120), maxBackoff: .seconds(120), deadline: .seconds(7 * 3600)), wait: false, tokenFirstSentMs: old)
        _ = resumed.admit(nowMs: t)
        guard case .record(let unknown) = resumed.startFailed(Self.transport("ConnectionClosed", "eof"), nowMs: t, random: 1) else {
            Issue.record("expected outcome-unknown"); return
        }
        #expect(unknown.outcome == .outcomeUnknown)
    }

    /// Defect 5: the token's age is checked right before the send, not when the wait began.
    @Test func theTokenAgeIsCheckedAtTheSendNotAtTheRetryDecision() {
        let firstSent = t - (7 * 3600 + 44 * 60) * 1000
        var machine = SlotStateMachine(retry: RetrySettings(maxAttempts: 99, initialBackoff: .seconds(10), maxBackoff: .seconds(10), deadline: .seconds(7 * 3600)),
                                       wait: false, tokenFirstSentMs: firstSent)
        #expect(machine.admit(nowMs: t) == .send(attempt: 1))
        #expect(machine.startFailed(Self.service("ThrottlingException", 429), nowMs: t, random: 1) == .retry(after: .seconds(10), attempt: 1, failure: Self.service("ThrottlingException", 429)))
        machine.backoffEnded()
        // The slot waited for its turn (concurrency, rate) past the token's safe life.
        guard case .record(let outcome) = machine.admit(nowMs: t + 61_000) else { Issue.record("sent an expired token"); return }
        #expect(outcome.outcome == .outcomeUnknown && outcome.attempts == 1)
    }

    /// Defect 12: attempts and the deadline count from the first attempt, across a restart.
    @Test func aResumedSlotKeepsItsAttemptsAndDeadline() {
        let firstSent = t - 10 * 60_000
        var machine = SlotStateMachine(retry: RetrySettings(maxAttempts: 8, initialBackoff: .seconds(1), maxBackoff: .seconds(10), deadline: .seconds(1800)),
                                       wait: false, tokenFirstSentMs: firstSent, attempts: 7, firstAttemptMs: firstSent)
        #expect(machine.admit(nowMs: t) == .send(attempt: 8))
        guard case .record(let outcome) = machine.startFailed(Self.service("InternalServerException", 500), nowMs: t, random: 0.5) else {
            Issue.record("retried past max_attempts"); return
        }
        #expect(outcome.outcome == .failed && outcome.attempts == 8)

        // Past its deadline, a resumed slot is still sent once: the answer to its last attempt never came.
        var late = SlotStateMachine(retry: RetrySettings(deadline: .seconds(60)), wait: false, tokenFirstSentMs: firstSent, attempts: 2, firstAttemptMs: firstSent)
        #expect(late.admit(nowMs: t) == .send(attempt: 3))
        guard case .record(let gaveUp) = late.startFailed(Self.service("InternalServerException", 500), nowMs: t, random: 0.5) else {
            Issue.record("retried past the deadline"); return
        }
        #expect(gaveUp.outcome == .failed && gaveUp.message?.contains("deadline") == true)
    }

    /// Defect 10: HTTP 200 with an unreadable body is retried; giving up is outcome-unknown.
    @Test func anAcceptedButUnreadableAnswerIsRetriedAndNeverCalledFailed() {
        let unreadable = CallFailure(code: "MalformedResponse", message: "not JSON", retryable: true, accepted: true)
        var machine = SlotStateMachine(retry: RetrySettings(maxAttempts: 2), wait: false, tokenFirstSentMs: t)
        _ = machine.admit(nowMs: t)
        guard case .retry = machine.startFailed(unreadable, nowMs: t, random: 0.5) else { Issue.record("not retried"); return }
        machine.backoffEnded()
        #expect(machine.admit(nowMs: t + 1000) == .send(attempt: 2))
        guard case .record(let outcome) = machine.startFailed(unreadable, nowMs: t + 1000, random: 0.5) else { return }
        #expect(outcome.outcome == .outcomeUnknown)
    }

    @Test func activatedFlowHasNoExecutionAndNoWait() {
        var machine = SlotStateMachine(retry: policy, wait: true, tokenFirstSentMs: t)
        _ = machine.admit(nowMs: t)
        guard case .record(let outcome) = machine.startSucceeded(StartAnswer(executionId: nil, flowStatus: "Active")) else { return }
        #expect(outcome.outcome == .activated && outcome.final && outcome.flowStatus == "Active")
    }

    @Test func waitFollowsTheRunToItsEnd() {
        var machine = SlotStateMachine(retry: policy, wait: true, tokenFirstSentMs: t)
        _ = machine.admit(nowMs: t)
        guard case .record(let started) = machine.startSucceeded(StartAnswer(executionId: "e1", flowStatus: nil)) else { return }
        #expect(started.outcome == .started && !started.final && started.pollAfter == .seconds(2))
        #expect(machine.pollAnswered(nil, nowMs: t + 2000) == .poll(after: .seconds(3), executionId: "e1"))
        #expect(machine.pollAnswered(ExecutionAnswer(status: "InProgress"), nowMs: t + 5000) == .poll(after: .milliseconds(4500), executionId: "e1"))
        let done = ExecutionAnswer(status: "Error", errorMessage: "bad creds", recordsProcessed: 7)
        guard case .record(let errored) = machine.pollAnswered(done, nowMs: t + 9000) else { return }
        #expect(errored.outcome == .errored && errored.final && errored.message == "bad creds" && errored.recordsProcessed == 7)
    }

    @Test func anExecutionNeverListedEndsAsUnknown() {
        var machine = SlotStateMachine(resumingPollOf: "e9", retry: policy, tokenFirstSentMs: t, attempts: 1)
        #expect(machine.pollAnswered(nil, nowMs: t) == .poll(after: .seconds(3), executionId: "e9"))
        guard case .record(let outcome) = machine.pollAnswered(nil, nowMs: t + 601_000) else { Issue.record("still polling"); return }
        #expect(outcome.outcome == .outcomeUnknown && outcome.executionId == "e9")
    }
}

@Suite(.timeLimit(.minutes(1)))
struct TokenBucketTests {
    @Test func allowsTheRateAndSaysHowLongToWait() {
        var bucket = TokenBucket(rate: 10, nowNanos: 0)
        for _ in 0..<10 { #expect(bucket.take(nowNanos: 0) == nil) }
        #expect(bucket.take(nowNanos: 0) == .milliseconds(100))
        #expect(bucket.take(nowNanos: 50_000_000) == .milliseconds(50))
        #expect(bucket.take(nowNanos: 100_000_000) == nil)
        // Idle for a long time: never more than the burst.
        for _ in 0..<10 { #expect(bucket.take(nowNanos: 100_000_000_000) == nil) }
        #expect(bucket.take(nowNanos: 100_000_000_000) != nil)
    }
}
