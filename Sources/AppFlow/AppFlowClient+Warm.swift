import AsyncHTTPClient
import NIOCore

extension AppFlowClient {
    /// How long an unused connection stays open: long enough to carry a slot that was warmed
    /// ahead of its fire time (the scheduler warms 2 s before it), short enough that no connection
    /// is held open when no slot is near.
    package static let idleConnectionTimeout: Duration = .seconds(10)

    /// A connection used this recently is still open: warming it again would only occupy it.
    static let recentExchange: Duration = .seconds(4)

    /// Makes the next call find everything ready: the credentials resolved (or refreshed when near
    /// their end), the endpoint's name resolved and a connection open with TLS established (through
    /// the proxy, when one is configured), left in the pool for the call. The connection is opened
    /// by one unsigned `HEAD /`: no AWS operation, no credentials on the wire; whatever it answers
    /// (AWS front ends: 4xx) is dropped. Skipped when a request finished in the last few seconds
    /// (its connection is still open). Never throws: a failure here is met, and reported, by the
    /// call itself. Returns whether a connection was opened or reused for it.
    @discardableResult
    package func warm() async -> Bool {
        _ = try? await credentialCache.credentials()
        if let last = lastExchange.withLock({ $0 }), ContinuousClock.now - last < Self.recentExchange { return false }
        var request = HTTPClientRequest(url: configuration.endpoint.url(path: "/"))
        request.method = .HEAD
        request.headers.replaceOrAdd(name: "host", value: configuration.endpoint.hostHeader)
        request.headers.add(name: "user-agent", value: configuration.userAgent)
        do {
            let response = try await http.execute(request, timeout: .nanoseconds(configuration.connectTimeout.nanoseconds))
            _ = try await response.body.collect(upTo: 64 * 1024)
            noteExchange()
            return true
        } catch {
            return false
        }
    }

    func noteExchange() {
        lastExchange.withLock { $0 = ContinuousClock.now }
    }
}
