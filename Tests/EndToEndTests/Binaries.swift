import Foundation

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

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs to completion with the given environment (nothing inherited but PATH).
    static func run(_ name: String, _ arguments: [String], environment: [String: String], timeout: TimeInterval = 60) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path(name))
        process.arguments = arguments
        var env = environment
        env["PATH"] = ProcessInfo.processInfo.environment["PATH"]
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        // Read while it runs so a full pipe cannot block it.
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        let stderrData = err.fileHandleForReading.readDataToEndOfFile()
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self), stderr: String(decoding: stderrData, as: UTF8.self))
    }
}

/// An `appflow-emulator` process for one test, with its request record.
final class EmulatorProcess {
    let process = Process()
    let port: Int
    let recordPath: String
    let scheme: String

    static let keyId = "AKIDAPPFLOWDTEST"
    static let secret = "appflowd-test-secret-not-real"

    init(_ arguments: [String], tls: Bool = false) throws {
        recordPath = NSTemporaryDirectory() + "appflowd-e2e-\(UUID().uuidString).jsonl"
        scheme = tls ? "https" : "http"
        process.executableURL = URL(fileURLWithPath: Binaries.path("appflow-emulator"))
        process.arguments = ["--port", "0", "--credentials", "\(Self.keyId):\(Self.secret)", "--record", recordPath] + arguments
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        var line = Data()
        while true {
            let byte = out.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("LISTENING "), let port = Int(text.dropFirst("LISTENING ".count)) else {
            process.terminate()
            throw EmulatorFailed(output: text)
        }
        self.port = port
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
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: recordPath)
    }
}
