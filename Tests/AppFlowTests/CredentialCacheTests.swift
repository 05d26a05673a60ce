import Foundation
import Synchronization
import Testing
@testable import AppFlow
import SigV4

@Suite(.timeLimit(.minutes(5))) struct CredentialCacheTests {
    /// Hands out numbered temporary credentials and counts the calls.
    final class CountingProvider: CredentialProvider, Sendable {
        let calls = Atomic<Int>(0)
        let lifetime: TimeInterval
        let base: Date
        init(lifetime: TimeInterval, base: Date) { self.lifetime = lifetime; self.base = base }
        var sourceDescription: String { "counting" }
        func resolve() async throws -> AWSCredentials? {
            let n = calls.add(1, ordering: .relaxed).newValue
            try await Task.sleep(for: .milliseconds(20))
            return AWSCredentials(
                signing: SigV4Credentials(accessKeyId: "AKIDTEST\(n)", secretAccessKey: "s"),
                expiration: base.addingTimeInterval(lifetime * Double(n)),
                source: "counting"
            )
        }
    }

    final class ManualNow: Sendable {
        let seconds = Mutex<TimeInterval>(0)
        func date() -> Date { Date(timeIntervalSince1970: 1_800_000_000 + seconds.withLock { $0 }) }
        func advance(_ by: TimeInterval) { seconds.withLock { $0 += by } }
    }

    @Test func concurrentCallersShareOneRefreshAndItRefreshesBeforeExpiry() async throws {
        let now = ManualNow()
        let provider = CountingProvider(lifetime: 3600, base: now.date())
        let cache = CredentialCache(provider: provider, refreshMargin: 300, now: { now.date() })
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 { group.addTask { try await cache.credentials().signing.accessKeyId } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(ids == ["AKIDTEST1"])
        #expect(provider.calls.load(ordering: .relaxed) == 1)
        now.advance(3000)  // 10 minutes before expiry: still fine
        #expect(try await cache.credentials().signing.accessKeyId == "AKIDTEST1")
        now.advance(400)   // inside the 5-minute margin: refreshed
        #expect(try await cache.credentials().signing.accessKeyId == "AKIDTEST2")
        #expect(provider.calls.load(ordering: .relaxed) == 2)
    }
}
