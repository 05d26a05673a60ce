import AppFlow
import Foundation
import JobFile
import Logging
import Scheduler
import Synchronization

/// What the daemon needs of AppFlow, per job region and role; `RegionalClients` in production, a
/// fake in tests.
package protocol FlowStarter: Sendable {
    func startFlow(target: CallTarget, flowName: String, clientToken: String) async throws -> StartFlowResult
    func findExecution(target: CallTarget, flowName: String, executionId: String) async throws -> FlowExecution?
    /// Makes the target's client ready for a slot about to fire; never throws (the call reports).
    func warm(target: CallTarget) async
    /// Signs these StartFlows ahead of their fire times; never throws (the call signs anew).
    func presign(target: CallTarget, requests: [PresignRequest]) async
}

extension FlowStarter {
    package func warm(target: CallTarget) async {}
    package func presign(target: CallTarget, requests: [PresignRequest]) async {}
}

/// One `AppFlowClient` per region and role the jobs use (`CallTarget`). `prepare(targets:)`
/// builds them before READY (and before a reload is accepted), so that a missing region or a
/// broken endpoint setting is caught then rather than at the first slot.
///
/// A role's client signs with the role's credentials, which its cache gets from STS `AssumeRole`
/// in that region (signed with the default chain's credentials) and refreshes before they
/// expire: one role session per role and region. A role STS refuses fails only the calls of the
/// jobs that use it.
package final class RegionalClients: FlowStarter {
    private let clients = Mutex<[CallTarget: AppFlowClient]>([:])
    private let environment: [String: String]
    private let maxConnections: Int

    private let logger: Logger

    package init(environment: [String: String], maxConnections: Int, logger: Logger) {
        self.environment = environment
        self.maxConnections = maxConnections
        self.logger = logger
    }

    /// Builds the clients for these targets (a nil region: the environment's or profile's).
    /// Returns the regions they resolved to.
    @discardableResult
    package func prepare(targets: Set<CallTarget>) throws -> [String] {
        Array(Set(try targets.map { try client(for: $0).configuration.region })).sorted()
    }

    /// The client of one job's region and role, built on first use and kept (`appflowd check
    /// --aws` calls DescribeFlow through it, as the daemon calls StartFlow).
    package func client(for target: CallTarget) throws -> AppFlowClient {
        // Built under the lock: two callers never both build one, so none is left to shut down.
        try clients.withLock { clients in
            if let existing = clients[target] { return existing }
            var configuration = try AppFlowClient.Configuration.fromEnvironment(environment, region: target.region, regionSource: .jobFile)
            configuration.maxConnections = maxConnections
            configuration.logger = logger
            if let role = target.role {
                configuration.assumeRole(arn: role.arn, externalId: role.externalId, sessionName: role.sessionName,
                                         origin: "the job file", environment: environment)
            }
            let created = try AppFlowClient(configuration: configuration)
            clients[target] = created
            return created
        }
    }

    /// What the clients of these targets use, for the start-up line and STATUS=: each region's
    /// endpoint, where endpoints come from, the credential source, and the roles (each
    /// assumed now, so that missing or broken credentials and a refused role show before the
    /// first slot, not at it).
    package func setup(targets: Set<CallTarget>) async -> Setup {
        var setup = Setup(endpointSource: AppFlowClient.Configuration.endpointSource(environment: environment))
        let ordered = targets.sorted { ($0.region ?? "", $0.role?.arn ?? "") < ($1.region ?? "", $1.role?.arn ?? "") }
        var base: AppFlowClient?
        var seenRegions: Set<String> = []
        for target in ordered {
            guard let client = try? client(for: target) else { continue }
            if target.role == nil { base = base ?? client }
            if seenRegions.insert(client.configuration.region).inserted {
                setup.endpoints.append((client.configuration.region, client.configuration.endpoint.description))
            }
        }
        // The chain's own credentials: through a client without a role (kept for its first call),
        // else straight from the chain that signs the AssumeRole calls.
        do {
            if let base {
                setup.credentialSource = try await base.credentialSource()
            } else if !ordered.isEmpty {
                setup.credentialSource = try await CredentialProviderChain.default(environment: environment).require().source
            }
        } catch {
            setup.credentialProblem = "\(error)"
        }
        let roleClients = ordered.compactMap { target in target.role.flatMap { role in (try? client(for: target)).map { (role, $0) } } }
        setup.roles = Set(roleClients.map { $0.0.description }).sorted()
        guard setup.credentialProblem == nil else { return setup }
        // All at once: READY waits for them, and an STS that does not answer costs its timeout once.
        setup.roleProblems = await withTaskGroup(of: (Int, String?).self) { group in
            for (index, (_, client)) in roleClients.enumerated() {
                group.addTask {
                    do {
                        _ = try await client.credentialSource()
                        return (index, nil)
                    } catch {
                        // Its own jobs will fail with this; the others run.
                        return (index, "\(client.configuration.region): \(error)")
                    }
                }
            }
            var problems: [(Int, String)] = []
            for await (index, problem) in group { if let problem { problems.append((index, problem)) } }
            return problems.sorted { $0.0 < $1.0 }.map(\.1)
        }
        return setup
    }

    package func startFlow(target: CallTarget, flowName: String, clientToken: String) async throws -> StartFlowResult {
        try await client(for: target).startFlow(flowName: flowName, clientToken: clientToken)
    }

    package func findExecution(target: CallTarget, flowName: String, executionId: String) async throws -> FlowExecution? {
        try await client(for: target).findExecution(flowName: flowName, executionId: executionId, maxPages: 10)
    }

    package func presign(target: CallTarget, requests: [PresignRequest]) async {
        guard let client = try? client(for: target) else { return }
        // Dated at the fire time's second (rounded down, fire times are positive: never after the send).
        let starts = requests.map { (flowName: $0.flow, clientToken: $0.token, fireSeconds: $0.fireMs / 1000) }
        await client.presignStartFlows(starts)
    }

    package func warm(target: CallTarget) async {
        guard let client = try? client(for: target) else { return }
        await client.warm()
    }

    package func shutdown() async {
        let all = clients.withLock { Array($0.values) }
        for client in all { try? await client.shutdown() }
    }
}
