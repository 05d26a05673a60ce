import Foundation
import Scheduling
import TestSupport

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
    static func run(expressions: [String], zone: String, baseTime: String, iterations: Int) async throws -> [String: Answer] {
        guard let path else { return [:] }
        // Its exit status is not an answer: it is non-zero whenever one expression is rejected.
        let output = try await ChildProcess.run(
            path, ["calendar", "--base-time=\(baseTime)", "--iterations=\(iterations)", "--"] + expressions,
            environment: ["TZ": zone, "LC_ALL": "C", "SYSTEMD_COLORS": "0", "PATH": "/usr/bin:/bin"]
        )
        var answers: [String: Answer] = [:]
        for expression in expressions {
            answers[expression] = Answer(normalized: nil)
        }
        var current: String?
        let lines = output.stdout.split(separator: "\n", omittingEmptySubsequences: false)
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
        for line in output.stderr.split(separator: "\n") where line.hasPrefix(prefix) {
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
