import JobFile
import Ledger

/// The life of one slot, as events in and actions out (no I/O, no clock, no dice):
///
///     ready -> sending -> backoff -> sending ... -> started | activated | failed | skipped | outcome-unknown
///     started (wait = true) -> polling -> succeeded | errored | canceled
///
/// Times are wall-clock Unix milliseconds given by the caller. `SchedulerStateMachine` owns one
/// per slot in progress; `appflowd start` drives one for its single call.
package struct SlotStateMachine: Sendable {
    package enum State: Sendable, Equatable {
        /// Waiting for its turn to send attempt `attempts + 1`.
        case ready
        case sending(attempt: Int)
        case backoff(attempt: Int)
        case polling(executionId: String, polls: Int)
        case finished(SlotOutcome)
    }

    package enum Action: Sendable, Equatable {
        /// Send StartFlow now; `attempt` counts from 1 (across restarts).
        case send(attempt: Int)
        /// Wait this long, then the slot is ready to send again.
        case retry(after: Duration, attempt: Int, failure: CallFailure)
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

    package private(set) var state: State = .ready
    let retry: RetrySettings
    let wait: Bool
    /// When the token was first recorded as sent (the ledger's time), for its 8-hour life.
    package let tokenFirstSentMs: Int64
    /// When the first attempt was sent (kept across restarts), for the retry deadline.
    package private(set) var firstAttemptMs: Int64?
    /// Attempts sent so far, across restarts.
    package private(set) var attempts: Int
    /// False when the last attempt's answer never came (a restart): the next send is needed to
    /// learn the outcome, whatever the retry limits say, while the token is young enough.
    private var lastAnswered: Bool
    /// How long an execution may stay unlisted before its outcome is declared unknown.
    package static let notListedLimit: Duration = .seconds(600)
    private var notListedSinceMs: Int64?

    /// - Parameters:
    ///   - attempts: attempts already sent before a restart (from the ledger), else 0.
    ///   - firstAttemptMs: when the first of them was sent.
    package init(retry: RetrySettings, wait: Bool, tokenFirstSentMs: Int64, attempts: Int = 0, firstAttemptMs: Int64? = nil) {
        self.retry = retry
        self.wait = wait
        self.tokenFirstSentMs = tokenFirstSentMs
        self.attempts = attempts
        self.firstAttemptMs = attempts > 0 ? (firstAttemptMs ?? tokenFirstSentMs) : nil
        lastAnswered = attempts == 0
    }

    /// Resumes a slot whose run was started before a restart and is being waited for.
    package init(resumingPollOf executionId: String, retry: RetrySettings, tokenFirstSentMs: Int64, attempts: Int) {
        self.init(retry: retry, wait: true, tokenFirstSentMs: tokenFirstSentMs)
        self.attempts = attempts
        lastAnswered = true
        state = .polling(executionId: executionId, polls: 0)
    }

    /// The slot's turn to send has come. The token's age and the retry deadline are checked here,
    /// right before the send, not when the wait began: a slot may wait for its turn.
    package mutating func admit(nowMs: Int64) -> Action {
        guard state == .ready else { return internalError("admitted in state \(state)") }
        if attempts > 0, .milliseconds(nowMs - tokenFirstSentMs) >= RetrySettings.tokenSafeLife {
            state = .finished(.outcomeUnknown)
            return .record(finish(.outcomeUnknown, code: "TokenExpired",
                                  message: "the client token is too old to send again safely; the slot may or may not have started"))
        }
        if lastAnswered, attempts > 0, let first = firstAttemptMs, .milliseconds(nowMs - first) > retry.deadline {
            state = .finished(.failed)
            return .record(finish(.failed, code: "DeadlineExceeded", message: "retry deadline reached after \(attempts) attempts"))
        }
        attempts += 1
        if firstAttemptMs == nil { firstAttemptMs = nowMs }
        state = .sending(attempt: attempts)
        return .send(attempt: attempts)
    }

    /// The backoff has passed: the slot waits for its turn again.
    package mutating func backoffEnded() {
        if case .backoff = state { state = .ready }
    }

    package mutating func startSucceeded(_ answer: StartAnswer) -> Action {
        guard case .sending = state else { return internalError("StartFlow answer in state \(state)") }
        lastAnswered = true
        guard let executionId = answer.executionId, !executionId.isEmpty else {
            // A scheduled or event-triggered flow: StartFlow activated it, there is no run to follow.
            state = .finished(.activated)
            var outcome = finish(.activated, code: nil, message: nil)
            outcome.flowStatus = answer.flowStatus
            return .record(outcome)
        }
        var outcome = Outcome(outcome: .started, final: !wait, executionId: executionId, flowStatus: answer.flowStatus, attempts: attempts)
        if wait {
            state = .polling(executionId: executionId, polls: 0)
            outcome.pollAfter = Self.pollDelay(polls: 0)
        } else {
            state = .finished(.started)
        }
        return .record(outcome)
    }

    package mutating func startFailed(_ failure: CallFailure, nowMs: Int64, random: Double) -> Action {
        guard case .sending = state else { return internalError("StartFlow failure in state \(state)") }
        lastAnswered = true
        if failure.code == "ConflictException" {
            // AppFlow refuses a start while the flow is already running: this slot is skipped.
            state = .finished(.skipped)
            return .record(finish(.skipped, code: failure.code, message: failure.message))
        }
        let decision = retry.decide(
            failure: failure,
            attempt: attempts,
            sinceFirstAttempt: .milliseconds(nowMs - (firstAttemptMs ?? nowMs)),
            tokenAge: .milliseconds(nowMs - tokenFirstSentMs),
            random: random
        )
        let why: String
        switch decision {
        case .retry(let after):
            state = .backoff(attempt: attempts)
            return .retry(after: after, attempt: attempts, failure: failure)
        case .giveUp(.tokenExpired):
            state = .finished(.outcomeUnknown)
            return .record(finish(.outcomeUnknown, code: failure.code, message: "\(failure.message) (the client token is too old to send again safely)"))
        case .giveUp(.attemptsExhausted): why = " (gave up after \(attempts) attempts)"
        case .giveUp(.deadlineExceeded): why = " (retry deadline reached after \(attempts) attempts)"
        case .giveUp(.notRetryable): why = ""
        }
        if failure.accepted {
            // AppFlow took the call but its answer could not be read: the run may exist.
            state = .finished(.outcomeUnknown)
            return .record(finish(.outcomeUnknown, code: failure.code, message: failure.message + why + "; the endpoint accepted the call, the run may have started"))
        }
        state = .finished(.failed)
        return .record(finish(.failed, code: failure.code, message: failure.message + why))
    }

    /// The execution as listed (nil when it is not listed yet).
    package mutating func pollAnswered(_ execution: ExecutionAnswer?, nowMs: Int64) -> Action {
        guard case .polling(let executionId, let polls) = state else { return internalError("poll answer in state \(state)") }
        guard let execution else {
            let since = notListedSinceMs ?? nowMs
            notListedSinceMs = since
            if .milliseconds(nowMs - since) > Self.notListedLimit {
                state = .finished(.outcomeUnknown)
                var outcome = finish(.outcomeUnknown, code: "ExecutionNotListed", message: "execution \(executionId) was not listed by DescribeFlowExecutionRecords")
                outcome.executionId = executionId
                return .record(outcome)
            }
            state = .polling(executionId: executionId, polls: polls + 1)
            return .poll(after: Self.pollDelay(polls: polls + 1), executionId: executionId)
        }
        notListedSinceMs = nil
        let terminal: SlotOutcome?
        switch execution.status {
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
        var outcome = finish(terminal, code: terminal == .errored ? "ExecutionError" : nil, message: execution.errorMessage)
        outcome.executionId = executionId
        outcome.recordsProcessed = execution.recordsProcessed
        outcome.bytesProcessed = execution.bytesProcessed
        outcome.bytesWritten = execution.bytesWritten
        outcome.flowStatus = execution.status
        return .record(outcome)
    }

    /// A failed DescribeFlowExecutionRecords: keep following the run, more slowly.
    package mutating func pollFailed(nowMs: Int64) -> Action {
        guard case .polling(let executionId, let polls) = state else { return internalError("poll failure in state \(state)") }
        state = .polling(executionId: executionId, polls: polls + 1)
        return .poll(after: Self.pollDelay(polls: polls + 2), executionId: executionId)
    }

    /// 2 s, then half as long again each time, at most 60 s.
    package static func pollDelay(polls: Int) -> Duration {
        var seconds = 2.0
        for _ in 0..<min(polls, 20) { seconds *= 1.5 }
        return .milliseconds(Int64(min(60.0, seconds) * 1000))
    }

    private mutating func internalError(_ message: String) -> Action {
        state = .finished(.failed)
        return .record(finish(.failed, code: "Internal", message: message))
    }

    private func finish(_ outcome: SlotOutcome, code: String?, message: String?) -> Outcome {
        Outcome(outcome: outcome, final: true, errorCode: code, message: message, attempts: attempts)
    }
}
