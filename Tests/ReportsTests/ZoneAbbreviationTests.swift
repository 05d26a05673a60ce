import Foundation
import Scheduling
import Testing
import TestSupport
@testable import Reports

/// Abbreviations checked against the C library's own answer (`date +%Z` with TZ set), not ours.
@Suite(.timeLimit(.minutes(5))) struct ZoneAbbreviationTests {
    static func libc(_ zone: String, _ unix: Int64) async throws -> String {
        let output = try await ChildProcess.run("/bin/date", ["-d", "@\(unix)", "+%Z"], environment: ["TZ": zone])
        return output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(arguments: [
        ("Europe/Berlin", Int64(1_795_000_000)), ("Europe/Berlin", 1_780_000_000),
        ("America/New_York", 1_795_000_000), ("America/New_York", 1_780_000_000),
        ("Australia/Lord_Howe", 1_795_000_000), ("Asia/Kolkata", 1_795_000_000),
        ("Europe/London", 1_780_000_000), ("UTC", 1_795_000_000), ("Europe/Berlin", 2_500_000_000),
    ])
    func matchesTheCLibrary(zone: String, unix: Int64) async throws {
        guard FileManager.default.fileExists(atPath: "/usr/share/zoneinfo/\(zone)") else { return }
        let ours = ZoneAbbreviation.abbreviation(for: TimeZone(identifier: zone)!, at: Date(timeIntervalSince1970: Double(unix)))
        let expected = try await Self.libc(zone, unix)
        // Zones whose tz names are numeric (+0530 style is printed as "+1030") fall back to Foundation.
        if expected.hasPrefix("+") || expected.hasPrefix("-") { return }
        #expect(ours == expected)
    }

    @Test func malformedFilesAreRefused() {
        #expect(throws: TZif.Malformed.self) { try TZif.parse(Array("TZif2".utf8)) }
        #expect(throws: TZif.Malformed.self) { try TZif.parse([]) }
    }
}
