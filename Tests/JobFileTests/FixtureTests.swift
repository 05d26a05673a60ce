import Foundation
import Testing
@testable import JobFile

/// 2026-11-26T00:00:00Z: the fixed "now" for every fixture.
let fixtureNow: Int64 = 1_795_651_200

enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func names(_ folder: String) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path)) ?? []
        return files.filter { $0.hasSuffix(".toml") }.sorted()
    }

    static func text(_ folder: String, _ name: String) -> String {
        (try? String(contentsOf: root.appendingPathComponent(folder).appendingPathComponent(name), encoding: .utf8)) ?? ""
    }
}

/// Each bad/NAME.toml has a sibling NAME.expected holding exactly the diagnostics `check` prints
/// for it (file named as `bad/NAME.toml`).
@Test(.timeLimit(.minutes(5)), arguments: Fixtures.names("bad"))
func badFixtureGivesExactDiagnostics(_ name: String) {
    let expectedName = name.replacingOccurrences(of: ".toml", with: ".expected")
    let expected = Fixtures.text("bad", expectedName)
    #expect(!expected.isEmpty, "missing \(expectedName)")
    let (jobFile, diagnostics) = JobFileLoader.parse(Fixtures.text("bad", name), fileName: "bad/\(name)", now: fixtureNow)
    let got = diagnostics.map { $0.description + "\n" }.joined()
    #expect(got == expected)
    #expect((jobFile == nil) == diagnostics.contains { $0.severity == .error })
}

@Test(.timeLimit(.minutes(5))) func fixtureFoldersAreNotEmpty() {
    #expect(Fixtures.names("bad").count >= 8)
    #expect(Fixtures.names("good").count >= 2)
}

@Test(.timeLimit(.minutes(5)), arguments: Fixtures.names("good"))
func goodFixtureLoads(_ name: String) throws {
    let (jobFile, diagnostics) = JobFileLoader.parse(Fixtures.text("good", name), fileName: name, now: fixtureNow)
    // Warnings (a fixed-offset zone here) are TrapWarningTests' subject: a good file has no errors.
    #expect(!diagnostics.contains { $0.severity == .error }, "\(diagnostics)")
    let file = try #require(jobFile)
    #expect(!file.jobs.isEmpty)
}
