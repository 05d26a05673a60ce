import Foundation
import Logging
import Synchronization
@testable import AppFlow

/// A running `CredentialTestServer` with its fake services, a manual clock, a temporary
/// directory and an environment pointing STS and instance metadata at the server.
struct CredentialFixture: Sendable {
    let clock: CredentialCacheTests.ManualNow
    let services: FakeCredentialServices
    let server: CredentialTestServer
    let dir: Directory

    /// A temporary directory, removed when the fixture stops.
    struct Directory: Sendable {
        let path: String

        func write(_ name: String, _ text: String) -> String {
            let file = path + "/" + name
            _ = FileManager.default.createFile(atPath: file, contents: Data(text.utf8))
            return file
        }
    }

    static let sourceKeyId = "AKIDTESTSOURCE"
    static let sourceSecret = "source-secret-not-real-42"

    /// Runs `body` against a fresh server and stops it afterwards, whatever happens.
    static func with<T>(_ body: (CredentialFixture) async throws -> T) async throws -> T {
        let clock = CredentialCacheTests.ManualNow()
        let services = FakeCredentialServices(now: { clock.date() })
        services.with { $0.keys[sourceKeyId] = .init(secret: sourceSecret, token: nil) }
        let server = try await CredentialTestServer.start { services.respond($0) }
        let dir = NSTemporaryDirectory() + "appflowd-creds-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let fixture = CredentialFixture(clock: clock, services: services, server: server, dir: Directory(path: dir))
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let result = try await body(fixture)
            try await server.stop()
            return result
        } catch {
            try? await server.stop()
            throw error
        }
    }

    /// No real files, STS and IMDS on the test server, a region.
    var environment: [String: String] {
        [
            "HOME": dir.path,
            "AWS_CONFIG_FILE": dir.path + "/config",
            "AWS_SHARED_CREDENTIALS_FILE": dir.path + "/credentials",
            "AWS_ENDPOINT_URL_STS": server.baseURL,
            "AWS_EC2_METADATA_SERVICE_ENDPOINT": server.baseURL,
            "AWS_REGION": "eu-west-1",
        ]
    }
}

/// Keeps every log record, for asserting on what an operator would read.
final class RecordingLogHandler: LogHandler, Sendable {
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    let records = Mutex<[Record]>([])
    var metadata: Logger.Metadata {
        get { [:] }
        set {}
    }
    var logLevel: Logger.Level {
        get { .trace }
        set {}
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { nil }
        set {}
    }

    func log(event: LogEvent) {
        let flat = (event.metadata ?? [:]).mapValues { "\($0)" }
        records.withLock { $0.append(Record(level: event.level, message: "\(event.message)", metadata: flat)) }
    }

    var all: [Record] { records.withLock { $0 } }

    var logger: Logger { Logger(label: "test") { _ in self } }
}
