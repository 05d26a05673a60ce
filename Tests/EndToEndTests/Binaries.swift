import Foundation
import TestSupport

/// Runs the package's built executables, which `swift build` puts beside the test bundle.
enum Binaries {
    static let directory: URL = {
        if let explicit = ProcessInfo.processInfo.environment["APPFLOWD_BIN_DIR"] {
            return URL(fileURLWithPath: explicit)
        }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        // On Linux the test runner is `<bin>/appflowdPackageTests.xctest` itself.
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("appflowd").path), url.path != "/" {
            url.deleteLastPathComponent()
        }
        return url
    }()

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Runs to completion with the given environment (nothing inherited but PATH).
    /// `absolute`: `name` is a path, not one of the package's executables.
    static func run(_ name: String, _ arguments: [String], environment: [String: String], timeout: Duration = .seconds(60),
                    absolute: Bool = false) async throws -> ProcessOutput {
        var env = environment
        env["PATH"] = ProcessInfo.processInfo.environment["PATH"]
        return try await ChildProcess.run(absolute ? name : path(name), arguments, environment: env, timeout: timeout)
    }
}

/// An `appflow-emulator` process for one test, with its request record.
final class EmulatorProcess: Sendable {
    let child: ChildProcess
    let port: Int
    let recordPath: String
    let scheme: String

    static let keyId = "AKIDAPPFLOWDTEST"
    static let secret = "appflowd-test-secret-not-real"

    /// Starts the emulator and waits for the `LISTENING <port>` line it prints once it listens.
    init(_ arguments: [String], tls: Bool = false) async throws {
        let recordPath = NSTemporaryDirectory() + "appflowd-e2e-\(UUID().uuidString).jsonl"
        let child = try ChildProcess(
            Binaries.path("appflow-emulator"),
            ["--port", "0", "--credentials", "\(Self.keyId):\(Self.secret)", "--record", recordPath] + arguments)
        try await eventually("the emulator to listen", log: child.standardError) {
            child.standardOutput.contains("\n") || !child.isRunning
        }
        let text = String(child.standardOutput.prefix { $0 != "\n" })
        guard text.hasPrefix("LISTENING "), let port = Int(text.dropFirst("LISTENING ".count)) else {
            child.signal(SIGKILL)
            throw EmulatorFailed(output: text + child.standardError)
        }
        self.child = child
        self.port = port
        self.recordPath = recordPath
        scheme = tls ? "https" : "http"
    }

    struct EmulatorFailed: Error { var output: String }

    var url: String { "\(scheme)://127.0.0.1:\(port)" }

    /// The environment a client needs to reach this emulator with its key pair.
    func clientEnvironment(secret: String = EmulatorProcess.secret) -> [String: String] {
        [
            "AWS_ENDPOINT_URL_APPFLOW": url,
            "AWS_REGION": "eu-west-1",
            "AWS_ACCESS_KEY_ID": Self.keyId,
            "AWS_SECRET_ACCESS_KEY": secret,
            "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
            "HOME": NSTemporaryDirectory(),
        ]
    }

    /// The request record so far, one dictionary per request.
    func requests() -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: recordPath, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    func startFlowRequests() -> [[String: Any]] {
        requests().filter { $0["operation"] as? String == "StartFlow" }
    }

    deinit {
        child.signal(SIGKILL)
        try? FileManager.default.removeItem(atPath: recordPath)
    }
}
