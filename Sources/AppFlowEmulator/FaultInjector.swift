/// The fault that changed an answer, as the request record names it.
package enum AppliedFault: String, Sendable, Codable {
    case failFirst = "fail-first"
    case error
    case throttle
    case drop
    case down
    case denied
}

/// Decides which faults hit a request. Holds the per-token attempt counts for `failFirst`
/// and its own seeded dice, so a seed reproduces the same faults for the same requests.
package struct FaultInjector: Sendable {
    package private(set) var settings: FaultSettings
    private var random: SeededRandom
    private var attempts: [String: Int] = [:]

    package init(settings: FaultSettings, seed: UInt64) {
        self.settings = settings
        self.random = SeededRandom(seed: seed)
    }

    /// Replaces the settings; attempt counts are kept so that raising `failFirst` at run
    /// time applies to tokens already seen.
    package mutating func update(_ settings: FaultSettings) {
        self.settings = settings
    }

    package mutating func reset() {
        attempts.removeAll()
    }

    /// How many `StartFlow` attempts with this flow and token were seen while `failFirst` was on.
    package func attemptCount(flowName: String, clientToken: String) -> Int {
        attempts[flowName + "\n" + clientToken] ?? 0
    }

    /// Faults decided before the operation touches any state. `startToken` is the
    /// flow name and client token of a `StartFlow`, nil for other operations; `denial` is the
    /// AccessDeniedException to answer when the operation is `denied`.
    package mutating func beforeOperation(
        _ operation: AppFlowOperation, startToken: (flowName: String, clientToken: String)?, denial: () -> EmulatorError
    ) -> (EmulatorError, AppliedFault)? {
        if settings.down {
            // Neither counts a fail-first attempt nor rolls the dice: an outage must not shift
            // the seeded faults of the requests after it.
            return (.serviceUnavailable, .down)
        }
        if settings.denied.contains(operation.rawValue) {
            // IAM decides before the service: no attempt counted, no dice rolled.
            return (denial(), .denied)
        }
        if settings.failFirst > 0, let startToken {
            let key = startToken.flowName + "\n" + startToken.clientToken
            let attempt = (attempts[key] ?? 0) + 1
            attempts[key] = attempt
            if attempt <= settings.failFirst {
                return (.internalError, .failFirst)
            }
        }
        if random.chance(settings.errorRate) {
            return (.internalError, .error)
        }
        if random.chance(settings.throttleRate) {
            return (.throttled, .throttle)
        }
        return nil
    }

    /// Faults decided after the operation: whether to drop the answer, and the delay
    /// before sending (or dropping) it, in milliseconds.
    package mutating func afterOperation() -> (drop: Bool, delayMs: Int) {
        let drop = random.chance(settings.dropRate)
        var delay = settings.latencyMs
        if settings.latencySpikeMs > 0, random.chance(settings.latencySpikeRate) {
            delay += settings.latencySpikeMs
        }
        return (drop, delay)
    }
}
