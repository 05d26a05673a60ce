import Foundation

/// The emulated AppFlow account: flows, their runs and the idempotency tokens. A pure value:
/// "now" is always a parameter, and randomness comes from its own seeded generator.
package struct FlowStore: Sendable {
    /// AppFlow keeps a client token for 8 hours.
    package static let idempotencyWindow: TimeInterval = 8 * 3600

    private struct TokenEntry: Sendable {
        var outcome: StartFlowOutcome
        var firstSeen: Date
    }

    package let region: String
    package let account: String
    package let runDuration: TimeInterval
    private(set) var flows: [String: FlowState]
    private let sortedNames: [String]
    private var tokens: [String: TokenEntry] = [:]
    private var random: SeededRandom
    private var startsSincePrune = 0

    package init(
        flows: [EmulatedFlow], region: String, account: String, runDuration: TimeInterval,
        createdAt: Date, seed: UInt64
    ) {
        self.region = region
        self.account = account
        self.runDuration = runDuration
        var states: [String: FlowState] = [:]
        for flow in flows {
            states[flow.name] = FlowState(flow: flow, activated: false, createdAt: createdAt, lastUpdatedAt: createdAt)
        }
        self.flows = states
        self.sortedNames = states.keys.sorted()
        self.random = SeededRandom(seed: seed)
    }

    package func arn(of flowName: String) -> String {
        "arn:aws:appflow:\(region):\(account):flow/\(flowName)"
    }

    package func flow(named name: String) -> FlowState? { flows[name] }

    /// Starts (on-demand) or activates (scheduled, event) a flow, or replays the answer given
    /// to the same flow and token within the last 8 hours.
    package mutating func startFlow(
        name: String, clientToken: String?, now: Date, conflictWhenRunning: Bool
    ) -> Result<StartFlowOutcome, EmulatorError> {
        // Only what the checks need is read out: a copy of the whole FlowState would share the
        // runs array with the dictionary, and the append below would then copy every run.
        guard let flow = flows[name]?.flow else { return .failure(.flowNotFound(name)) }
        let key = clientToken.map { name + "\n" + $0 }
        if let key, let entry = tokens[key], now.timeIntervalSince(entry.firstSeen) < Self.idempotencyWindow {
            var replay = entry.outcome
            replay.isNew = false
            return .success(replay)
        }
        if let refusal = flows[name]?.startRefusal {
            return .failure(.validation(refusal))
        }
        if conflictWhenRunning, flow.trigger == .onDemand,
           let last = flows[name]?.executions.last, last.status(at: now) == .inProgress {
            return .failure(.conflict(flow: name))
        }
        let outcome: StartFlowOutcome
        switch flow.trigger {
        case .onDemand:
            let execution = makeExecution(failing: flow.failsRuns, now: now)
            flows[name]?.executions.append(execution)  // in place, amortised O(1)
            outcome = StartFlowOutcome(
                flowArn: arn(of: name), flowStatus: "Active", executionId: execution.executionId, isNew: true)
        case .scheduled, .event:
            if flows[name]?.activated == false {
                flows[name]?.activated = true
                flows[name]?.lastUpdatedAt = now
            }
            outcome = StartFlowOutcome(flowArn: arn(of: name), flowStatus: "Active", executionId: nil, isNew: true)
        }
        if let key {
            tokens[key] = TokenEntry(outcome: outcome, firstSeen: now)
            pruneTokensOccasionally(now: now)
        }
        return .success(outcome)
    }

    /// A page of a flow's runs, newest first. The token names the position from the oldest
    /// run, so runs started between two pages neither repeat nor shift the next page.
    package func executionsPage(
        flowName: String, maxResults: Int, nextToken: String?
    ) -> Result<(executions: [FlowExecution], nextToken: String?), EmulatorError> {
        guard let state = flows[flowName] else { return .failure(.flowNotFound(flowName)) }
        var end = state.executions.count
        if let nextToken {
            guard let cursor = PageToken.decode(nextToken, scope: "executions/" + flowName),
                  cursor <= state.executions.count else {
                return .failure(.validation("Invalid nextToken"))
            }
            end = cursor
        }
        let start = max(0, end - maxResults)
        let page = Array(state.executions[start..<end].reversed())
        let next = start > 0 ? PageToken.encode(start, scope: "executions/" + flowName) : nil
        return .success((page, next))
    }

    /// A page of flows in name order.
    package func flowsPage(
        maxResults: Int, nextToken: String?
    ) -> Result<(flows: [FlowState], nextToken: String?), EmulatorError> {
        var start = 0
        if let nextToken {
            guard let cursor = PageToken.decode(nextToken, scope: "flows"), cursor <= sortedNames.count else {
                return .failure(.validation("Invalid nextToken"))
            }
            start = cursor
        }
        let end = min(sortedNames.count, start + maxResults)
        let page = sortedNames[start..<end].compactMap { flows[$0] }
        let next = end < sortedNames.count ? PageToken.encode(end, scope: "flows") : nil
        return .success((page, next))
    }

    /// Forgets runs, activations and tokens; keeps the declared flows.
    package mutating func reset(now: Date) {
        for name in sortedNames {
            guard var state = flows[name] else { continue }
            state.executions.removeAll()
            state.activated = false
            state.lastUpdatedAt = now
            flows[name] = state
        }
        tokens.removeAll()
    }

    private mutating func makeExecution(failing: Bool, now: Date) -> FlowExecution {
        let records = Int64(random.next() % 5000) + 1
        let bytes = records * (Int64(random.next() % 400) + 100)
        let putFailures = failing ? max(1, records / 10) : 0
        return FlowExecution(
            executionId: random.uuidString(), startedAt: now, endsAt: now.addingTimeInterval(runDuration),
            failing: failing, recordsProcessed: records, bytesProcessed: bytes,
            bytesWritten: failing ? bytes - bytes / 10 : bytes, putFailuresCount: putFailures
        )
    }

    /// Drops expired tokens now and then, so a long load test does not grow without bound
    /// beyond the 8-hour window.
    private mutating func pruneTokensOccasionally(now: Date) {
        startsSincePrune += 1
        guard startsSincePrune >= 65_536 else { return }
        startsSincePrune = 0
        tokens = tokens.filter { now.timeIntervalSince($0.value.firstSeen) < Self.idempotencyWindow }
    }
}
