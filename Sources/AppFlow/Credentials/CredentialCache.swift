import Foundation

/// Holds the current credentials and refreshes temporary ones before they expire. Concurrent
/// callers share one resolution in flight.
package actor CredentialCache {
    let provider: any CredentialProvider
    /// Refresh this long before expiry, so no request is signed with credentials about to lapse.
    let refreshMargin: TimeInterval
    let now: @Sendable () -> Date
    private var current: AWSCredentials?
    private var inFlight: Task<AWSCredentials, any Error>?

    package init(provider: any CredentialProvider, refreshMargin: TimeInterval = 300, now: @escaping @Sendable () -> Date = Date.init) {
        self.provider = provider
        self.refreshMargin = refreshMargin
        self.now = now
    }

    package func credentials() async throws -> AWSCredentials {
        if let current, !needsRefresh(current) { return current }
        if let inFlight { return try await inFlight.value }
        let provider = self.provider
        let task = Task<AWSCredentials, any Error> {
            if let chain = provider as? CredentialProviderChain { return try await chain.require() }
            guard let found = try await provider.resolve() else {
                throw CredentialError(source: provider.sourceDescription, message: "no credentials found")
            }
            return found
        }
        inFlight = task
        defer { inFlight = nil }
        do {
            let fresh = try await task.value
            current = fresh
            return fresh
        } catch {
            // Keep using credentials that have not expired yet rather than failing a start.
            if let current, let expiration = current.expiration, expiration > now() { return current }
            throw error
        }
    }

    private func needsRefresh(_ credentials: AWSCredentials) -> Bool {
        guard let expiration = credentials.expiration else { return false }
        return expiration.timeIntervalSince(now()) < refreshMargin
    }
}
