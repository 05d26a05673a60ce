import Foundation
import SigV4
import Synchronization
import Testing
@testable import AppFlow

/// The cache's refresh policy, with a manual clock and a provider the test controls.
@Suite(.timeLimit(.minutes(5))) struct CredentialRefreshTests {
    /// Hands out numbered credentials valid for an hour from the clock; can be told to fail,
    /// and to hold each answer until released.
    final class ScriptedProvider: CredentialProvider, Sendable {
        let calls = Atomic<Int>(0)
        let failing = Atomic<Bool>(false)
        let clock: CredentialCacheTests.ManualNow
        let gate = Mutex<[CheckedContinuation<Void, Never>]>([])
        let holding = Atomic<Bool>(false)

        init(clock: CredentialCacheTests.ManualNow) { self.clock = clock }
        var sourceDescription: String { "scripted source" }

        func resolve() async throws -> AWSCredentials? {
            let n = calls.add(1, ordering: .relaxed).newValue
            if holding.load(ordering: .relaxed) {
                await withCheckedContinuation { continuation in gate.withLock { $0.append(continuation) } }
            }
            if failing.load(ordering: .relaxed) {
                throw CredentialError(source: sourceDescription, message: "STS unreachable")
            }
            return AWSCredentials(
                signing: SigV4Credentials(accessKeyId: "AKIDTEST\(n)", secretAccessKey: "scripted-secret-\(n)"),
                expiration: clock.date().addingTimeInterval(3600),
                source: sourceDescription
            )
        }

        func release() {
            for continuation in gate.withLock({ list in defer { list = [] }; return list }) { continuation.resume() }
        }
    }

    @Test func insideTheBackgroundMarginCallersDoNotWaitAndShareOneRefresh() async throws {
        let clock = CredentialCacheTests.ManualNow()
        let provider = ScriptedProvider(clock: clock)
        let cache = CredentialCache(provider: provider, refreshMargin: 300, backgroundRefreshMargin: 900, now: { clock.date() })
        #expect(try await cache.credentials().signing.accessKeyId == "AKIDTEST1")
        provider.holding.store(true, ordering: .relaxed)
        clock.advance(3600 - 600)
        // The refresh is held by the provider, yet every caller gets the current credentials.
        for _ in 0..<5 {
            #expect(try await cache.credentials().signing.accessKeyId == "AKIDTEST1")
        }
        #expect(provider.calls.load(ordering: .relaxed) == 2)
        provider.release()
        await cache.waitForRefresh()
        #expect(try await cache.credentials().signing.accessKeyId == "AKIDTEST2")
        #expect(provider.calls.load(ordering: .relaxed) == 2)
    }

    @Test func aFailedRefreshIsLoggedKeptAndRetriedAfterTheInterval() async throws {
        let clock = CredentialCacheTests.ManualNow()
        let provider = ScriptedProvider(clock: clock)
        let logs = RecordingLogHandler()
        let cache = CredentialCache(provider: provider, retryInterval: 30, logger: logs.logger, now: { clock.date() })
        #expect(try await cache.credentials().signing.accessKeyId == "AKIDTEST1")

        provider.failing.store(true, ordering: .relaxed)
        clock.advance(3600 - 200)  // inside the blocking margin: waits, fails, keeps the old ones
        #expect(try await cache.credentials().signing.accessKeyId == "AKIDTEST1")
        #expect(provider.calls.load(ordering: .relaxed) == 2)
        let warning = try #require(logs.all.last)
        #expect(warning.level == .warning)
        #expect(warning.metadata["credential_source"] == "scripted source")
        #expect(warning.metadata["error"]?.contains("STS unreachable") == true)
        #expect(!logs.all.contains { $0.metadata.values.contains { $0.contains("scripted-secret") } })

        clock.advance(10)  // within the retry interval: no new attempt, no wait
        #expect(try await cache.credentials().signing.accessKeyId == "AKIDTEST1")
        #expect(provider.calls.load(ordering: .relaxed) == 2)

        provider.failing.store(false, ordering: .relaxed)
        clock.advance(30)  // interval passed: retried, succeeds
        #expect(try await cache.credentials().signing.accessKeyId == "AKIDTEST3")
        #expect(provider.calls.load(ordering: .relaxed) == 3)
    }

    @Test func expiredCredentialsAndAFailingSourceIsAnError() async throws {
        let clock = CredentialCacheTests.ManualNow()
        let provider = ScriptedProvider(clock: clock)
        let logs = RecordingLogHandler()
        let cache = CredentialCache(provider: provider, logger: logs.logger, now: { clock.date() })
        _ = try await cache.credentials()
        provider.failing.store(true, ordering: .relaxed)
        clock.advance(3601)
        await #expect(throws: CredentialError.self) { try await cache.credentials() }
        #expect(logs.all.last?.level == .error)
    }
}
