import Foundation

/// RFC 3339 <-> Unix seconds through Foundation's ISO 8601 formatter: a reference independent of
/// the Scheduling module's own date arithmetic.
enum TestTime {
    static func unix(_ text: String) -> Int64 {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        guard let date = f.date(from: text) else { return Int64.min }
        return Int64(date.timeIntervalSince1970)
    }

    static func iso(_ seconds: Int64?) -> String {
        guard let seconds else { return "nil" }
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: Date(timeIntervalSince1970: Double(seconds)))
    }

    static func zone(_ id: String) -> TimeZone {
        TimeZone(identifier: id) ?? TimeZone(secondsFromGMT: 0)!
    }

    /// Runs a program and returns its stdout, or nil when it cannot run or exits non-zero.
    static func run(_ arguments: [String], stdin: String = "") -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        // Write from another thread so a large request cannot deadlock against a full stdout pipe.
        // A child that exits without reading its stdin must not kill the test run with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        let data = Data(stdin.utf8)
        let writer = Thread {
            try? input.fileHandleForWriting.write(contentsOf: data)
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let result = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: result, as: UTF8.self)
    }
}
