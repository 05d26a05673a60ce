import Foundation
import TestSupport

/// A running `appflowd run`, its stdout and stderr captured.
final class DaemonProcess: Sendable {
    let child: ChildProcess

    init(config: String, stateDir: String, environment: [String: String]) throws {
        var env = environment
        env["PATH"] = ProcessInfo.processInfo.environment["PATH"]
        child = try ChildProcess(
            Binaries.path("appflowd"), ["run", "--config", config, "--state-dir", stateDir, "--stop-grace", "2"], environment: env)
    }

    /// What the daemon logged so far (it logs to stderr).
    var log: String { child.standardError + child.standardOutput }

    func signal(_ number: Int32) { child.signal(number) }

    /// Awaits the exit; returns the status, or nil if it is still running after `limit`.
    func exitStatus(within limit: Duration) async -> Int32? {
        await child.exitStatus(within: limit)
    }
}

/// The SPEC's client token computed by Python's hashlib, independently of our Swift code.
func pythonTokens(_ items: [(salt: String, job: String, flow: String, slot: Int64)]) async throws -> [String] {
    let script = """
        import hashlib, json, sys
        for s, j, f, t in json.load(sys.stdin):
            print("appflowd-" + hashlib.sha256(f"{s}\\n{j}\\n{f}\\n{t}".encode()).hexdigest()[:32])
        """
    let payload = try JSONSerialization.data(withJSONObject: items.map { [$0.salt, $0.job, $0.flow, $0.slot] as [Any] })
    let output = try await ChildProcess.run("/usr/bin/env", ["python3", "-c", script], input: payload)
    return output.stdout.split(separator: "\n").map(String.init)
}

func writeFile(_ path: String, _ text: String) {
    _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
}

func makeTemporaryDirectory() -> String {
    let path = NSTemporaryDirectory() + "appflowd-e2e-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// An RFC 3339 UTC time `seconds` from now, on a whole second, and its Unix value.
func futureSlot(inSeconds seconds: Int) -> (text: String, unix: Int64) {
    let unix = Int64(Date().timeIntervalSince1970) + Int64(seconds)
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    formatter.timeZone = TimeZone(identifier: "UTC")
    return (formatter.string(from: Date(timeIntervalSince1970: TimeInterval(unix))), unix)
}
