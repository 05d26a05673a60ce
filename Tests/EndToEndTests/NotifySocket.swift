import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A datagram socket bound to a path, standing in for systemd's NOTIFY_SOCKET.
final class NotifySocket {
    let path: String
    private let fd: Int32

    init() throws {
        path = NSTemporaryDirectory() + "appflowd-notify-\(UUID().uuidString.prefix(8)).sock"
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in bytes.enumerated() where i < raw.count - 1 { raw[i] = byte }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else { throw POSIXError(.EADDRINUSE) }
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Every datagram received so far and until `until` holds (or `seconds` pass).
    private(set) var messages: [String] = []

    @discardableResult
    func collect(seconds: Double, until: ([String]) -> Bool = { _ in false }) -> [String] {
        let deadline = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count > 0 {
                messages.append(String(decoding: buffer[0..<count], as: UTF8.self))
                if until(messages) { break }
            }
        }
        return messages
    }

    deinit {
        close(fd)
        unlink(path)
    }
}

/// A running `appflowd run`, with its stderr captured to a file.
final class DaemonProcess {
    let process = Process()
    let logPath = NSTemporaryDirectory() + "appflowd-daemon-\(UUID().uuidString).log"

    init(config: String, stateDir: String, environment: [String: String]) throws {
        process.executableURL = URL(fileURLWithPath: Binaries.path("appflowd"))
        process.arguments = ["run", "--config", config, "--state-dir", stateDir, "--stop-grace", "2"]
        var env = environment
        env["PATH"] = ProcessInfo.processInfo.environment["PATH"]
        process.environment = env
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = FileHandle(forWritingAtPath: logPath)
        process.standardError = log
        process.standardOutput = log
        try process.run()
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits for the exit; returns the status, or nil if it is still running after `seconds`.
    func waitForExit(seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: logPath)
    }
}

/// The SPEC's client token computed by Python's hashlib, independently of our Swift code.
func pythonTokens(_ items: [(salt: String, job: String, flow: String, slot: Int64)]) throws -> [String] {
    let script = """
        import hashlib, json, sys
        for s, j, f, t in json.load(sys.stdin):
            print("appflowd-" + hashlib.sha256(f"{s}\\n{j}\\n{f}\\n{t}".encode()).hexdigest()[:32])
        """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script]
    let input = Pipe(), output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try process.run()
    let payload = items.map { [$0.salt, $0.job, $0.flow, String($0.slot)] as [Any] }
    input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: payload.map { [$0[0], $0[1], $0[2], Int($0[3] as! String)!] }))
    input.fileHandleForWriting.closeFile()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
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
