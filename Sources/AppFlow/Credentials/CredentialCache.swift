import Foundation
import Logging

/// Holds the current credentials and refreshes temporary ones before they expire, in two
/// steps like botocore's advisory and mandatory refresh:
///
/// - inside `backgroundRefreshMargin` of expiry, callers get the current credentials at once
///   and a refresh runs in the background, so a start never waits for STS or the metadata service;
/// - inside `refreshMargin` (or once expired) callers wait for the refresh; if it fails while
///   the old credentials still work, they get those.
///
/// Concurrent callers share one refresh in flight. A failed refresh is logged and tried again
/// by the next caller, at most once per `retryInterval` while the old credentials still work.
package actor CredentialCache {
    let provider: any CredentialProvider
    /// Refresh this long before expiry even if it means waiting, so no request is signed with
    /// credentials about to lapse.
    let refreshMargin: TimeInterval
    /// Start a refresh without waiting for it this long before expiry.
    let backgroundRefreshMargin: TimeInterval
    let retryInterval: TimeInterval
    let logger: Logger
    let now: @Sendable () -> Date
    private var current: AWSCredentials?
    private var inFlight: Task<AWSCredentials, any Error>?
    private var lastFailure: Date?

    package init(
        provider: any CredentialProvider,
        refreshMargin: TimeInterval = 300,
        backgroundRefreshMargin: TimeInterval = 900,
        retryInterval: TimeInterval = 30,
        logger: Logger = Logger(label: "appflowd.credentials", factory: { _ in SwiftLogNoOpLogHandler() }),
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.provider = provider
        self.refreshMargin = refreshMargin
        self.backgroundRefreshMargin = max(backgroundRefreshMargin, refreshMargin)
        self.retryInterval = retryInterval
        self.logger = logger
        self.now = now
    }

    package func credentials() async throws -> AWSCredentials {
        if let current {
            let remaining = current.expiration.map { $0.timeIntervalSince(now()) } ?? .infinity
            if remaining >= backgroundRefreshMargin { return current }
            if remaining > refreshMargin || (remaining > 0 && retriedRecently) {
                if inFlight == nil && !retriedRecently { _ = startRefresh() }
                return current
            }
        }
        let task = inFlight ?? startRefresh()
        do {
            return try await task.value
        } catch {
            // Keep using credentials that have not expired yet rather than failing a start.
            if let current, let expiration = current.expiration, expiration > now() { return current }
            throw error
        }
    }

    /// Waits for a refresh in flight, if any (tests, and a clean shutdown).
    package func waitForRefresh() async {
        if let inFlight { _ = try? await inFlight.value }
    }

    private var retriedRecently: Bool {
        guard let lastFailure else { return false }
        return now().timeIntervalSince(lastFailure) < retryInterval
    }

    private func startRefresh() -> Task<AWSCredentials, any Error> {
        let provider = self.provider
        let task = Task<AWSCredentials, any Error> {
            let result: Result<AWSCredentials, any Error>
            do {
                result = .success(try await Self.fetch(provider))
            } catch {
                result = .failure(error)
            }
            self.finish(result)
            return try result.get()
        }
        inFlight = task
        return task
    }

    private func finish(_ result: Result<AWSCredentials, any Error>) {
        inFlight = nil
        switch result {
        case .success(let fresh):
            current = fresh
            lastFailure = nil
            logger.debug("credentials refreshed", metadata: [
                "credential_source": "\(fresh.source)",
                "expires": "\(fresh.expiration.map { $0.formatted(.iso8601) } ?? "never")",
            ])
        case .failure(let error):
            lastFailure = now()
            var metadata: Logger.Metadata = [
                "credential_source": "\(provider.sourceDescription)",
                "error": "\(error)",
                "retry_after_seconds": "\(Int(retryInterval))",
            ]
            if let current, let expiration = current.expiration, expiration > now() {
                metadata["current_credentials_expire"] = "\(expiration.formatted(.iso8601))"
                logger.warning("credential refresh failed; using the current credentials until they expire", metadata: metadata)
            } else {
                logger.error("credential refresh failed", metadata: metadata)
            }
        }
    }

    private static func fetch(_ provider: any CredentialProvider) async throws -> AWSCredentials {
        if let chain = provider as? CredentialProviderChain { return try await chain.require() }
        guard let found = try await provider.resolve() else {
            throw CredentialError(source: provider.sourceDescription, message: "no credentials found")
        }
        return found
    }
}
