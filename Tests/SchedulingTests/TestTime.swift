import Foundation
import TestSupport

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

    /// Runs a program found on PATH and returns its stdout, or nil when it cannot start or exits
    /// non-zero; throws `TimedOut` when it hangs.
    static func run(_ arguments: [String], stdin: String = "") async throws -> String? {
        let output: ProcessOutput
        do {
            output = try await ChildProcess.run("/usr/bin/env", arguments, input: Data(stdin.utf8))
        } catch let error as TimedOut {
            throw error
        } catch {
            return nil
        }
        return output.status == 0 ? output.stdout : nil
    }
}
