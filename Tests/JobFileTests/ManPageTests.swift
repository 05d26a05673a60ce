import Foundation
import Testing
@testable import JobFile

/// appflowd.toml(5) is written by hand from docs/job-file.md: both must name every key the job
/// file takes, so neither falls behind the validator.
@Suite(.timeLimit(.minutes(1)))
struct ManPageTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func text(_ path: String) throws -> String {
        try String(contentsOf: repository.appendingPathComponent(path), encoding: .utf8)
    }

    static var keys: [String] {
        Array(Set(JobFileValidator.topKeys + JobFileValidator.jobKeys + JobFileValidator.retryKeys)).sorted()
    }

    @Test func theManPageNamesEveryKey() throws {
        let page = try Self.text("packaging/appflowd.toml.5").replacingOccurrences(of: "\\-", with: "-")
        let missing = Self.keys.filter { key in
            ["job", "retry"].contains(key) ? !page.contains("[\(key)]") && !page.contains("[[\(key)]]") : !page.contains(".B \(key)") && !page.contains(" \(key) ") && !page.contains("\\fB\(key)\\fR")
        }
        #expect(missing.isEmpty, "packaging/appflowd.toml.5 does not name: \(missing)")
        #expect(page.contains(".nr HY 0"), "identifiers must never be hyphenated")
    }

    @Test func theReferenceNamesEveryKey() throws {
        let doc = try Self.text("docs/job-file.md")
        let missing = Self.keys.filter { !doc.contains("`\($0)`") && !doc.contains("`[\($0)]`") && !doc.contains("`[[\($0)]]`") }
        #expect(missing.isEmpty, "docs/job-file.md does not name: \(missing)")
    }
}
