import Foundation
import Scheduling

/// Runs `systemd-analyze calendar` (systemd 252) as the reference for `CalendarSchedule`, many
/// expressions per call, and reads its normalized forms and elapses (whole seconds, UTC).
enum CalendarOracle {
    static let path: String? = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    static var isAvailable: Bool { path != nil }

    /// What systemd said about one expression: nil normalized form means it was rejected.
    struct Answer: Equatable {
        var normalized: String?
        var elapses: [Int64] = []
        /// systemd parsed it but gave up computing an elapse (its 1,000-step safety valve);
        /// it then prints nothing for the expression on stdout.
        var gaveUp = false
    }

    /// One call for all `expressions` with `TZ=zone` (the local zone is the job's zone).
    /// `baseTime` is passed as `--base-time=@SECONDS[.FRACTION]`.
    static func run(expressions: [String], zone: String, baseTime: String, iterations: Int) throws -> [String: Answer] {
        guard let path else { return [:] }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["calendar", "--base-time=\(baseTime)", "--iterations=\(iterations)", "--"] + expressions
        process.environment = ["TZ": zone, "LC_ALL": "C", "SYSTEMD_COLORS": "0", "PATH": "/usr/bin:/bin"]
        let out = Pipe()
        process.standardOutput = out
        let err = Pipe()
        process.standardError = err
        try process.run()
        // Read stderr on another thread so that neither pipe can fill up and block systemd-analyze.
        let errorData = CalendarPipeReader(err.fileHandleForReading)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errors = errorData.wait()
        var answers: [String: Answer] = [:]
        for expression in expressions {
            answers[expression] = Answer(normalized: nil)
        }
        var current: String?
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        var index = 0
        while index < lines.count {
            let line = lines[index]
            index += 1
            if line.isEmpty {
                current = nil
                continue
            }
            if let value = field(line, "Original form:") {
                current = value
                answers[value] = Answer(normalized: nil)
            } else if let value = field(line, "Normalized form:") {
                // "Original form:" is left out when it equals the normalized form.
                let key = current ?? value
                current = key
                answers[key]?.normalized = value
            } else if let current, let value = field(line, "Next elapse:") ?? iteration(line) {
                guard value != "never" else { continue }
                // Prefer the "(in UTC):" line that follows when the local zone is not UTC.
                var text = value
                if index < lines.count, let utc = field(lines[index], "(in UTC):") {
                    text = utc
                    index += 1
                }
                if let seconds = parseTimestamp(text) {
                    answers[current]?.elapses.append(seconds)
                }
            }
        }
        let prefix = "Failed to determine next elapse for '"
        for line in String(decoding: errors, as: UTF8.self).split(separator: "\n") where line.hasPrefix(prefix) {
            let rest = line.dropFirst(prefix.count)
            if let end = rest.range(of: "': ", options: .backwards) {
                answers[String(rest[..<end.lowerBound])] = Answer(normalized: nil, gaveUp: true)
            }
        }
        return answers
    }

    private static func field(_ line: Substring, _ label: String) -> String? {
        let trimmed = line.drop { $0 == " " }
        guard trimmed.hasPrefix(label) else { return nil }
        return String(trimmed.dropFirst(label.count).dropFirst())
    }

    private static func iteration(_ line: Substring) -> String? {
        let trimmed = line.drop { $0 == " " }
        guard trimmed.hasPrefix("Iter. #"), let colon = trimmed.firstIndex(of: ":") else { return nil }
        return String(trimmed[trimmed.index(after: colon)...].dropFirst())
    }

    /// "Wed 2023-11-15 01:00:00 UTC" -> Unix seconds.
    static func parseTimestamp(_ text: String) -> Int64? {
        let parts = text.split(separator: " ")
        guard parts.count == 4, parts[3] == "UTC" else { return nil }
        let date = parts[1].split(separator: "-").compactMap { Int64($0) }
        let time = parts[2].split(separator: ":").compactMap { Int64($0) }
        guard date.count == 3, time.count == 3 else { return nil }
        let days = CivilTime.days(year: date[0], month: Int(date[1]), day: Int(date[2]))
        return days * 86_400 + time[0] * 3600 + time[1] * 60 + time[2]
    }
}

/// Reads a pipe to its end on a background thread.
final class CalendarPipeReader: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}
