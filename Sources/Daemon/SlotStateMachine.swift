import AppFlow
import Ledger

/// The life of one slot, as events in and actions out (no I/O, no clock, no dice):
///
///     scheduled -> starting -> retrying -> starting ... -> started | activated | failed | skipped | outcome-unknown
///     started (wait = true) -> polling -> succeeded | errored | canceled
///
/// Times are wall-clock Unix milliseconds given by the caller.
package struct SlotStateMachine: Sendable {
    package enum State: Sendable, Equatable {
        case scheduled
        case starting(attempt: Int)
        case retrying(attempt: Int)
        case polling(executionId: String, polls: Int)
        case finished(SlotOutcome)
    }

    package enum Action: Sendable, Equatable {
        /// Call StartFlow; `attempt` counts from 1.
        case start(attempt: Int)
        /// Wait, then deliver `retryTimerFired`.
        case retry(after: Duration, attempt: Int, errorCode: String, message: String)
        /// Record the outcome; when `final` is false a poll follows.
        case record(Outcome)
        /// Wait, then look the execution up and deliver `pollAnswered` or `pollFailed`.
        case poll(after: Duration, executionId: String)
    }

    package struct Outcome: Sendable, Equatable {
        package var outcome: SlotOutcome
        package var final: Bool
        package var executionId: String?
        package var flowStatus: String?
        package var errorCode: String?
        package var message: String?
        package var attempts: Int
        package var recordsProcessed: Int64?
        package var bytesProcessed: Int64?
        package var bytesWritten: Int64?
        /// For `started` with a poll to follow: wait this long first.
        package var pollAfter: Duration?
    }

    package private(set) var state: State = .scheduled
    let policy: RetryPolicy
    let wait: Bool
    /// When the token was first recorded as sent (the ledger's time), for its 8-hour life.
    let tokenFirstSentMs: Int64
    private var firstAttemptMs: Int64?
    private var attempts = 0
    /// How long an execution may stay unlisted before its outcome is declared unknown.
    package static let notListedLimit: Duration = .seconds(600)
    private var notListedSinceMs: Int64?

    package init(policy: RetryPolicy, wait: Bool, tokenFirstSentMs: Int64) {
        self.policy = policy
        self.wait = wait
        self.tokenFirstSentMs = tokenFirstSentMs
    }

    /// Resumes a slot whose run was started before a restart and is being waited for.
    package init(resumingPollOf executionId: String, policy: RetryPolicy, tokenFirstSentMs: Int64, attempts: Int) {
        self.init(policy: policy, wait: true, tokenFirstSentMs: tokenFirstSentMs)
        self.attempts = attempts
        state = .polling(executionId: executionId, polls: 0)
    }

    package var pendingPoll: Action? {
        if case .polling(let id, _) = state { return .poll(after: .zero, executionId: id) }
        return nil
    }

    package mutating func fire(nowMs: Int64) -> Action {
        precondition(state == .scheduled, "fire() twice")
        firstAttemptMs = nowMs
        return nextAttempt()
    }

    package mutating func retryTimerFired(nowMs: Int64) -> Action {
        guard case .retrying = state else { return .record(finishOutcome(.failed, code: "Internal", message: "retry timer in state \(state)")) }
        return nextAttempt()
    }

    private mutating func nextAttempt() -> Action {
        attempts += 1
        state = .starting(attempt: attempts)
        return .start(attempt: attempts)
    }

    package mutating func startSucceeded(_ result: StartFlowResult) -> Action {
        guard let executionId = result.executionId, !executionId.isEmpty else {
            // A scheduled or event-triggered flow: StartFlow activated it, there is no run to follow.
            state = .finished(.activated)
            var outcome = finishOutcome(.activated, code: nil, message: nil)
            outcome.flowStatus = result.flowStatus
            return .record(outcome)
        }
        var outcome = Outcome(outcome: .started, final: !wait, executionId: executionId, flowStatus: result.flowStatus, attempts: attempts)
        if wait {
            state = .polling(executionId: executionId, polls: 0)
            outcome.pollAfter = Self.pollDelay(polls: 0)
        } else {
            state = .finished(.started)
        }
        return .record(outcome)
    }

    package mutating func startFailed(_ error: any Error, nowMs: Int64, random: Double) -> Action {
        let failure = GaveUpError(underlying: error, attempts: attempts, reason: .notRetryable)
        if failure.code == "ConflictException" {
            // AppFlow refuses a start while the flow is already running: this slot is skipped.
            state = .finished(.skipped)
            return .record(finishOutcome(.skipped, code: failure.code, message: failure.message))
        }
        let decision = policy.decide(
            error: error,
            attempt: attempts,
            sinceFirstAttempt: .milliseconds(nowMs - (firstAttemptMs ?? nowMs)),
            tokenAge: .milliseconds(nowMs - tokenFirstSentMs),
            random: random
        )
        switch decision {
        case .retry(let after):
            state = .retrying(attempt: attempts)
            return .retry(after: after, attempt: attempts, errorCode: failure.code, message: failure.message)
        case .giveUp(.tokenExpired):
            state = .finished(.outcomeUnknown)
            return .record(finishOutcome(.outcomeUnknown, code: failure.code, message: "\(failure.message) (the client token is too old to send again safely)"))
        case .giveUp(let reason):
            state = .finished(.failed)
            let why: String
            switch reason {
            case .attemptsExhausted: why = " (gave up after \(attempts) attempts)"
            case .deadlineExceeded: why = " (retry deadline reached after \(attempts) attempts)"
            default: why = ""
            }
            return .record(finishOutcome(.failed, code: failure.code, message: failure.message + why))
        }
    }

    /// The execution as listed (nil when it is not listed yet).
    package mutating func pollAnswered(_ execution: FlowExecution?, nowMs: Int64) -> Action {
        guard case .polling(let executionId, let polls) = state else {
            return .record(finishOutcome(.failed, code: "Internal", message: "poll answer in state \(state)"))
        }
        guard let execution else {
            let since = notListedSinceMs ?? nowMs
            notListedSinceMs = since
            if .milliseconds(nowMs - since) > Self.notListedLimit {
                state = .finished(.outcomeUnknown)
                var outcome = finishOutcome(.outcomeUnknown, code: "ExecutionNotListed", message: "execution \(executionId) was not listed by DescribeFlowExecutionRecords")
                outcome.executionId = executionId
                return .record(outcome)
            }
            state = .polling(executionId: executionId, polls: polls + 1)
            return .poll(after: Self.pollDelay(polls: polls + 1), executionId: executionId)
        }
        notListedSinceMs = nil
        let terminal: SlotOutcome?
        switch execution.executionStatus {
        case "Successful": terminal = .succeeded
        case "Error": terminal = .errored
        case "Canceled": terminal = .canceled
        default: terminal = nil
        }
        guard let terminal else {
            state = .polling(executionId: executionId, polls: polls + 1)
            return .poll(after: Self.pollDelay(polls: polls + 1), executionId: executionId)
        }
        state = .finished(terminal)
        var outcome = finishOutcome(terminal, code: terminal == .errored ? "ExecutionError" : nil, message: execution.errorMessage)
        outcome.executionId = executionId
        outcome.recordsProcessed = execution.recordsProcessed
        outcome.bytesProcessed = execution.bytesProcessed
        outcome.bytesWritten = execution.bytesWritten
        outcome.flowStatus = execution.executionStatus
        return .record(outcome)
    }

    /// A failed DescribeFlowExecutionRecords: keep following the run, more slowly.
    package mutating func pollFailed(nowMs: Int64) -> Action {
        guard case .polling(let executionId, let polls) = state else {
            return .record(finishOutcome(.failed, code: "Internal", message: "poll failure in state \(state)"))
        }
        state = .polling(executionId: executionId, polls: polls + 1)
        return .poll(after: Self.pollDelay(polls: polls + 2), executionId: executionId)
    }

    /// 2 s, then half as long again each time, at most 60 s.
    package static func pollDelay(polls: Int) -> Duration {
        let seconds = min(60.0, 2.0 * pow1_5(polls))
        return .milliseconds(Int64(seconds * 1000))
    }

    private static func pow1_5(_ n: Int) -> Double {
        var value = 1.0
        for _ in 0..<min(n, 20) { value *= 1.5 }
        return value
    }

    private func finishOutcome(_ outcome: SlotOutcome, code: String?, message: String?) -> Outcome {
        Outcome(outcome: outcome, final: true, errorCode: code, message: message, attempts: attempts)
    }
}
