import Foundation
import Logging

/// The last error of a call that was given up, with how many attempts were made.
package struct GaveUpError: Error, Sendable, CustomStringConvertible {
    package var underlying: any Error
    package var attempts: Int
    package var reason: GiveUpReason

    package var code: String {
        switch underlying {
        case let service as AppFlowServiceError: service.code
        case let transport as AppFlowTransportError: transport.code
        default: "Error"
        }
    }

    package var message: String {
        switch underlying {
        case let service as AppFlowServiceError: service.message
        case let transport as AppFlowTransportError: transport.detail
        default: "\(underlying)"
        }
    }

    package var description: String { "\(code): \(message)" }

    package init(underlying: any Error, attempts: Int, reason: GiveUpReason) {
        self.underlying = underlying
        self.attempts = attempts
        self.reason = reason
    }
}

extension AppFlowClient {
    /// StartFlow with the same token on every attempt, retried per `policy` (SPEC section 4).
    /// The sleeper and the dice are parameters so tests can drive it without waiting.
    package func startFlowRetrying(
        flowName: String,
        clientToken: String,
        policy: RetryPolicy,
        logger: Logger,
        random: @Sendable () -> Double = { Double.random(in: 0..<1) },
        sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) async throws -> (result: StartFlowResult, attempts: Int) {
        let clock = ContinuousClock()
        let firstSentAt = clock.now
        var attempt = 0
        while true {
            attempt += 1
            do {
                let result = try await startFlow(flowName: flowName, clientToken: clientToken)
                return (result, attempt)
            } catch {
                let decision = policy.decide(error: error, attempt: attempt, firstSentAt: firstSentAt, now: clock.now, random: random())
                switch decision {
                case .retry(let wait):
                    logger.warning("retrying", metadata: [
                        "event": "retrying", "flow_name": "\(flowName)", "client_token": "\(clientToken)",
                        "attempt": "\(attempt)", "error_code": "\(GaveUpError(underlying: error, attempts: attempt, reason: .notRetryable).code)",
                        "error": "\(GaveUpError(underlying: error, attempts: attempt, reason: .notRetryable).message)", "wait_ms": "\(wait.milliseconds)",
                    ])
                    try await sleep(wait)
                case .giveUp(let reason):
                    throw GaveUpError(underlying: error, attempts: attempt, reason: reason)
                }
            }
        }
    }
}
