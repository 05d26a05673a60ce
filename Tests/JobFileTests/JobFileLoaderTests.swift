import Foundation
import Scheduling
import Testing
@testable import JobFile

@Test(.timeLimit(.minutes(5))) func defaultsThenOverrides() throws {
    let text = """
        timezone = "Europe/Berlin"
        catch_up = "all"
        catch_up_window = "2h"
        token_salt = "s1"
        rate_limit = 0
        [retry]
        max_attempts = 5
        deadline = "1h"
        [[job]]
        flow = "flow-a"
        cron = "0 2 * * *"
        [[job]]
        name = "b"
        flow = "flow-b"
        every = "15m"
        offset = "2m"
        jitter = "1500ms"
        timezone = "UTC"
        catch_up = "skip"
        token_salt = "s2"
        wait = true
        overlap = "allow"
        enabled = false
        region = "us-east-1"
        [job.retry]
        max_attempts = 2
        """
    let (file, diagnostics) = JobFileLoader.parse(text, fileName: "t.toml", now: fixtureNow)
    #expect(diagnostics.isEmpty, "\(diagnostics)")
    let f = try #require(file)
    #expect(f.rateLimit == nil && f.maxConcurrency == 16 && f.region == nil)
    let a = f.jobs[0]
    #expect(a.name == "flow-a" && a.timeZone.identifier == "Europe/Berlin" && a.catchUp == .all)
    #expect(a.catchUpWindow == .seconds(7200) && a.tokenSalt == "s1" && a.line == 9)
    #expect(a.retry == RetrySettings(maxAttempts: 5, deadline: .seconds(3600)))
    #expect(a.scheduleDescription == "cron 0 2 * * *")
    // 2026-11-26 02:00 in Berlin (CET, UTC+1) is 01:00Z.
    #expect(a.schedule.nextSlot(after: fixtureNow) == fixtureNow + 3600)
    let b = f.jobs[1]
    #expect(b.name == "b" && b.timeZone.secondsFromGMT() == 0 && b.catchUp == .skip && b.tokenSalt == "s2")
    #expect(b.wait && b.overlap == .allow && !b.enabled && b.region == "us-east-1" && b.jitter == .milliseconds(1500))
    #expect(b.retry == RetrySettings(maxAttempts: 2, deadline: .seconds(3600)))
    #expect(b.scheduleDescription == "every 15min offset 2min")
    #expect(b.schedule.nextSlot(after: fixtureNow) == fixtureNow + 120)
    #expect(b.clientToken(slot: 120) == ClientToken.make(salt: "s2", job: "b", flow: "flow-b", slot: 120))
    let fire = b.fireTime(slot: 120)
    #expect(fire >= 120_000 && fire < 121_500)
}

@Test(.timeLimit(.minutes(5))) func invalidUTF8IsADiagnostic() {
    let bytes: [UInt8] = Array("flow = \"a\"\nname = \"".utf8) + [0xFF, 0xFE] + Array("\"\n".utf8)
    let (file, diagnostics) = JobFileLoader.parse(bytes: bytes, fileName: "u.toml", now: 0)
    #expect(file == nil)
    #expect(diagnostics.map(\.description) == ["u.toml:2:9: error: job file is not valid UTF-8"])
}

@Test(.timeLimit(.minutes(5))) func nulIsADiagnostic() {
    let (file, diagnostics) = JobFileLoader.parse(bytes: Array("a = 1\n\0".utf8), fileName: "n.toml", now: 0)
    #expect(file == nil && diagnostics.first?.message.contains("NUL") == true)
}

/// Arguments are built lazily and described briefly: a 100,000-character argument in the test log
/// helps nobody.
@Test(.timeLimit(.minutes(5)), arguments: [
    String(repeating: "[", count: 100_000),
    "[[[job]]]\nflow = \"a\"",
    "a = " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000),
    "a = " + String(repeating: "{b=", count: 50_000) + "1" + String(repeating: "}", count: 50_000),
    "[" + Array(repeating: "a", count: 50_000).joined(separator: ".") + "]",
    Array(repeating: "a", count: 50_000).joined(separator: ".") + " = 1",
])
func deepNestingNeverCrashes(_ text: String) {
    let (file, diagnostics) = JobFileLoader.parse(text, fileName: "deep.toml", now: 0)
    #expect(file == nil || diagnostics.isEmpty == false || file?.jobs.isEmpty == true)
    #expect(file == nil || !diagnostics.contains { $0.severity == .error })
}

@Test(.timeLimit(.minutes(5))) func hugeFileIsRefusedBeforeParsing() {
    let bytes = [UInt8](repeating: UInt8(ascii: "#"), count: JobFileLimits.maxFileBytes + 1)
    let (file, diagnostics) = JobFileLoader.parse(bytes: bytes, fileName: "big.toml", now: 0)
    #expect(file == nil && diagnostics.first?.message.contains("larger than") == true)
}

@Test(.timeLimit(.minutes(5))) func missingFileIsADiagnostic() {
    let (file, diagnostics) = JobFileLoader.load(path: "/nonexistent/appflowd/jobs.toml", now: 0)
    #expect(file == nil)
    #expect(diagnostics.map(\.description) == ["/nonexistent/appflowd/jobs.toml:1:1: error: job file does not exist"])
}

@Test(.timeLimit(.minutes(10))) func hundredThousandJobsLoad() throws {
    var text = "timezone = \"UTC\"\n"
    text.reserveCapacity(100_000 * 60)
    for i in 0..<100_000 {
        text += "[[job]]\nname = \"job-\(i)\"\nflow = \"flow-\(i % 100)\"\nevery = \"\(i % 50 + 1)m\"\n"
    }
    let (file, diagnostics) = JobFileLoader.parse(text, fileName: "many.toml", now: fixtureNow)
    #expect(diagnostics.isEmpty)
    let jobs = try #require(file).jobs
    #expect(jobs.count == 100_000)
    #expect(jobs.last?.name == "job-99999" && jobs.last?.line == 399_998)
}

@Test(.timeLimit(.minutes(10))) func hundredThousandBadJobsReportEachOnce() {
    var text = ""
    for i in 0..<100_000 { text += "[[job]]\nflow = \"f\(i)\"\ncron = \"0 0 30 2 *\"\n" }
    let (file, diagnostics) = JobFileLoader.parse(text, fileName: "bad.toml", now: fixtureNow)
    #expect(file == nil && diagnostics.count == 100_000)
}

@Test(.timeLimit(.minutes(5))) func cronErrorPointsInsideTheString() {
    let (_, diagnostics) = JobFileLoader.parse("[[job]]\nflow = \"fa\"\ncron   =   \"0 2 * 13 *\"\n", fileName: "c", now: 0)
    // The month field '13' starts at character 6 of the expression; the string opens at column 12.
    #expect(diagnostics.map { "\($0.line):\($0.column)" } == ["3:19"])
}

@Test(.timeLimit(.minutes(5)), arguments: [("ab", true), ("a", false), ("-ab", false), ("a_b!@#.-c", true), ("a b", false),
                  (String(repeating: "a", count: 256), true), (String(repeating: "a", count: 257), false), ("ä1", false)])
func flowNamePattern(_ name: String, _ valid: Bool) {
    #expect(JobFileValidator.isValidFlowName(name) == valid)
}
