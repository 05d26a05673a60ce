import AppFlow
import Testing
@testable import Daemon

/// Event -> action sequences, no network, no clock.
struct SlotStateMachineTests {
    let policy = RetryPolicy(maxAttempts: 3, initialBackoff: .seconds(1), maxBackoff: .seconds(10), deadline: .seconds(60))
    let t: Int64 = 1_800_000_000_000
    static func service(_ code: String, _ status: Int) -> AppFlowServiceError {
        AppFlowServiceError(code: code, message: "msg", statusCode: status)
    }

    @Test func startedFirstTime() {
        var machine = SlotStateMachine(policy: policy, wait: false, tokenFirstSentMs: t)
        #expect(machine.fire(nowMs: t) == .start(attempt: 1))
        let action = machine.startSucceeded(StartFlowResult(flowArn: "arn", flowStatus: "Active", executionId: "e1"))
        guard case .record(let outcome) = action else { Issue.record("\(action)"); return }
        #expect(outcome.outcome == .started && outcome.final && outcome.executionId == "e1" && outcome.attempts == 1)
        #expect(machine.state == .finished(.started))
    }

    @Test func retriesTransientErrorsThenStarts() {
        var machine = SlotStateMachine(policy: policy, wait: false, tokenFirstSentMs: t)
        _ = machine.fire(nowMs: t)
        #expect(machine.startFailed(Self.service("ThrottlingException", 429), nowMs: t + 100, random: 0.5)
                == .retry(after: .milliseconds(500), attempt: 1, errorCode: "ThrottlingException", message: "msg"))
        #expect(machine.state == .retrying(attempt: 1))
        #expect(machine.retryTimerFired(nowMs: t + 600) == .start(attempt: 2))
        #expect(machine.startFailed(AppFlowTransportError(.timeout, "read"), nowMs: t + 700, random: 0.5)
                == .retry(after: .milliseconds(1000), attempt: 2, errorCode: "Timeout", message: "read"))
        #expect(machine.retryTimerFired(nowMs: t + 1700) == .start(attempt: 3))
        guard case .record(let outcome) = machine.startSucceeded(StartFlowResult(executionId: "e")) else { Issue.record("no record"); return }
        #expect(outcome.attempts == 3)
    }

    @Test func givesUpAfterMaxAttempts() {
        var machine = SlotStateMachine(policy: policy, wait: false, tokenFirstSentMs: t)
        _ = machine.fire(nowMs: t)
        for attempt in 1...2 {
            guard case .retry = machine.startFailed(Self.service("InternalServerException", 500), nowMs: t, random: 0) else {
                Issue.record("attempt \(attempt) not retried"); return
            }
            _ = machine.retryTimerFired(nowMs: t)
        }
        guard case .record(let outcome) = machine.startFailed(Self.service("InternalServerException", 500), nowMs: t, random: 0) else {
            Issue.record("no record"); return
        }
        #expect(outcome.outcome == .failed && outcome.errorCode == "InternalServerException" && outcome.attempts == 3)
        #expect(outcome.message?.contains("gave up after 3 attempts") == true)
    }

    @Test func permanentErrorFailsAtOnceAndConflictIsASkip() {
        var machine = SlotStateMachine(policy: policy, wait: false, tokenFirstSentMs: t)
        _ = machine.fire(nowMs: t)
        guard case .record(let failed) = machine.startFailed(Self.service("ResourceNotFoundException", 404), nowMs: t, random: 0.5) else { return }
        #expect(failed.outcome == .failed && failed.attempts == 1)

        var conflicting = SlotStateMachine(policy: policy, wait: false, tokenFirstSentMs: t)
        _ = conflicting.fire(nowMs: t)
        guard case .record(let skipped) = conflicting.startFailed(Self.service("ConflictException", 409), nowMs: t, random: 0.5) else { return }
        #expect(skipped.outcome == .skipped && skipped.message == "msg")
    }

    @Test func deadlineAndTokenAgeCutOffs() {
        var late = SlotStateMachine(policy: RetryPolicy(maxAttempts: 99, initialBackoff: .seconds(10), maxBackoff: .seconds(10), deadline: .seconds(60)), wait: false, tokenFirstSentMs: t)
        _ = late.fire(nowMs: t)
        guard case .record(let deadline) = late.startFailed(Self.service("InternalServerException", 500), nowMs: t + 55_000, random: 1) else {
            Issue.record("expected give-up"); return
        }
        #expect(deadline.outcome == .failed && deadline.message?.contains("deadline") == true)

        // A slot resumed after a restart whose token was first sent 7h44m ago: one more retry would pass 7h45m.
        let old = t - (7 * 3600 + 44 * 60) * 1000
        var resumed = SlotStateMachine(policy: RetryPolicy(maxAttempts: 99, initialBackoff: .seconds(120), maxBackoff: .seconds(120), deadline: .seconds(7 * 3600)), wait: false, tokenFirstSentMs: old)
        _ = resumed.fire(nowMs: t)
        guard case .record(let unknown) = resumed.startFailed(AppFlowTransportError(.connectionClosed, "eof"), nowMs: t, random: 1) else {
            Issue.record("expected outcome-unknown"); return
        }
        #expect(unknown.outcome == .outcomeUnknown)
    }

    @Test func activatedFlowHasNoExecutionAndNoWait() {
        var machine = SlotStateMachine(policy: policy, wait: true, tokenFirstSentMs: t)
        _ = machine.fire(nowMs: t)
        guard case .record(let outcome) = machine.startSucceeded(StartFlowResult(flowStatus: "Active", executionId: nil)) else { return }
        #expect(outcome.outcome == .activated && outcome.final && outcome.flowStatus == "Active")
    }

    @Test func waitFollowsTheRunToItsEnd() {
        var machine = SlotStateMachine(policy: policy, wait: true, tokenFirstSentMs: t)
        _ = machine.fire(nowMs: t)
        guard case .record(let started) = machine.startSucceeded(StartFlowResult(executionId: "e1")) else { return }
        #expect(started.outcome == .started && !started.final && started.pollAfter == .seconds(2))
        #expect(machine.pollAnswered(nil, nowMs: t + 2000) == .poll(after: .seconds(3), executionId: "e1"))
        #expect(machine.pollAnswered(FlowExecution(executionId: "e1", executionStatus: "InProgress"), nowMs: t + 5000) == .poll(after: .milliseconds(4500), executionId: "e1"))
        var done = FlowExecution(executionId: "e1", executionStatus: "Error")
        done.errorMessage = "bad creds"
        done.recordsProcessed = 7
        guard case .record(let errored) = machine.pollAnswered(done, nowMs: t + 9000) else { return }
        #expect(errored.outcome == .errored && errored.final && errored.message == "bad creds" && errored.recordsProcessed == 7)
    }

    @Test func anExecutionNeverListedEndsAsUnknown() {
        var machine = SlotStateMachine(resumingPollOf: "e9", policy: policy, tokenFirstSentMs: t, attempts: 1)
        #expect(machine.pollAnswered(nil, nowMs: t) == .poll(after: .seconds(3), executionId: "e9"))
        guard case .record(let outcome) = machine.pollAnswered(nil, nowMs: t + 601_000) else { Issue.record("still polling"); return }
        #expect(outcome.outcome == .outcomeUnknown && outcome.executionId == "e9")
    }
}

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
