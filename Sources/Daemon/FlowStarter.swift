import AppFlow
import Foundation
import Logging
import Synchronization

/// What the daemon needs of AppFlow, per job region; `RegionalClients` in production, a fake in tests.
package protocol FlowStarter: Sendable {
    func startFlow(region: String?, flowName: String, clientToken: String) async throws -> StartFlowResult
    func findExecution(region: String?, flowName: String, executionId: String) async throws -> FlowExecution?
    /// Makes the region's client ready for a slot about to fire; never throws (the call reports).
    func warm(region: String?) async
}

extension FlowStarter {
    package func warm(region: String?) async {}
}

/// One `AppFlowClient` per region the jobs use. `prepare(regions:)` builds them before READY (and
/// before a reload is accepted), so that a missing region or a broken endpoint setting is caught
/// then rather than at the first slot.
package final class RegionalClients: FlowStarter {
    private let clients = Mutex<[String: AppFlowClient]>([:])
    private let environment: [String: String]
    private let maxConnections: Int
    private static let defaultKey = "\u{0}default"

    private let logger: Logger

    package init(environment: [String: String], maxConnections: Int, logger: Logger) {
        self.environment = environment
        self.maxConnections = maxConnections
        self.logger = logger
    }

    /// Builds the clients for these regions (nil: the environment's or profile's region).
    /// Returns the regions they resolved to.
    @discardableResult
    package func prepare(regions: Set<String?>) throws -> [String] {
        try regions.map { try client($0).configuration.region }.sorted()
    }

    func client(_ region: String?) throws -> AppFlowClient {
        let key = region ?? Self.defaultKey
        // Built under the lock: two callers never both build one, so none is left to shut down.
        return try clients.withLock { clients in
            if let existing = clients[key] { return existing }
            var configuration = try AppFlowClient.Configuration.fromEnvironment(environment, region: region, regionSource: .jobFile)
            configuration.maxConnections = maxConnections
            configuration.logger = logger
            let created = try AppFlowClient(configuration: configuration)
            clients[key] = created
            return created
        }
    }

    /// What the clients of these regions use, for the start-up line and STATUS=: each region's
    /// endpoint, where endpoints come from, and the credential source (resolved now, so that
    /// missing or broken credentials show before the first slot, not at it).
    package func setup(regions: Set<String?>) async -> Setup {
        var setup = Setup(endpointSource: AppFlowClient.Configuration.endpointSource(environment: environment))
        var first: AppFlowClient?
        for region in regions.sorted(by: { ($0 ?? "") < ($1 ?? "") }) {
            guard let client = try? client(region) else { continue }
            first = first ?? client
            setup.endpoints.append((client.configuration.region, client.configuration.endpoint.description))
        }
        if let first {
            do {
                setup.credentialSource = try await first.credentialSource()
            } catch {
                setup.credentialProblem = "\(error)"
            }
        }
        return setup
    }

    package func startFlow(region: String?, flowName: String, clientToken: String) async throws -> StartFlowResult {
        try await client(region).startFlow(flowName: flowName, clientToken: clientToken)
    }

    package func findExecution(region: String?, flowName: String, executionId: String) async throws -> FlowExecution? {
        try await client(region).findExecution(flowName: flowName, executionId: executionId, maxPages: 10)
    }

    package func warm(region: String?) async {
        guard let client = try? client(region) else { return }
        await client.warm()
    }

    package func shutdown() async {
        let all = clients.withLock { Array($0.values) }
        for client in all { try? await client.shutdown() }
    }
}
