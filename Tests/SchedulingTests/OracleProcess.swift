import Foundation

/// Runs an oracle program (a Python script) from an async test without blocking a thread:
/// standard input and output are temporary files, and the exit is awaited through
/// `terminationHandler`.
enum OracleProcess {
    /// The repository's `scripts/NAME`.
    static func script(_ name: String) -> String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/\(name)").path
    }

    /// The program's standard output, or nil when it cannot start or exits non-zero.
    static func run(_ arguments: [String], stdin: String = "") async -> String? {
        let files = FileManager.default
        let directory = files.temporaryDirectory.appendingPathComponent("appflowd-oracle-\(UUID().uuidString)")
        guard (try? files.createDirectory(at: directory, withIntermediateDirectories: true)) != nil else { return nil }
        defer { try? files.removeItem(at: directory) }
        let inputPath = directory.appendingPathComponent("stdin").path
        let outputPath = directory.appendingPathComponent("stdout").path
        guard files.createFile(atPath: inputPath, contents: Data(stdin.utf8)),
              files.createFile(atPath: outputPath, contents: nil),
              let input = FileHandle(forReadingAtPath: inputPath),
              let output = FileHandle(forWritingAtPath: outputPath)
        else { return nil }
        defer {
            try? input.close()
            try? output.close()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let status: Int32? = await withCheckedContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                continuation.resume(returning: nil)
            }
        }
        guard status == 0, let data = files.contents(atPath: outputPath) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// Whether `python3` can import `module`.
    static func hasPython(module: String) async -> Bool {
        await run(["python3", "-c", "import \(module)"]) != nil
    }
}
