import Foundation
import JobFile
import Ledger
import Scheduling
import Testing
@testable import Reports

/// A job past its `end` is shown as `ended` by `next` and `status`, in text and JSON.
@Suite(.timeLimit(.minutes(1)))
struct EndedTests {
    /// 2026-11-26T00:00:00Z; "done" ended a day before, "closing" ends at 03:00, "open" never.
    static let toml = """
        timezone = "UTC"
        [[job]]
        name = "done"
        flow = "fa"
        every = "1h"
        end = "2026-11-25T00:00:00Z"
        [[job]]
        name = "closing"
        flow = "fb"
        every = "1h"
        jitter = "3h"
        start = "2026-11-26T01:00:00Z"
        end = "2026-11-26T03:00:00Z"
        [[job]]
        name = "open"
        flow = "fc"
        every = "1h"
        """

    func file() throws -> JobFile { try jobFile(Self.toml, now: fixtureNow - 3 * 86_400) }

    @Test func nextShowsEndedAndStopsAtEnd() throws {
        let report = NextReport(jobFile: try file(), from: fixtureNow, count: 5)
        #expect(report.rows.map(\.ended) == [true, false, false])
        // From 01:00 to 03:00 inclusive, never past it; no fire time after end.
        #expect(report.rows[1].slots == [fixtureNow + 3600, fixtureNow + 7200, fixtureNow + 10_800])
        #expect(report.rows[1].slots.allSatisfy { report.rows[1].job.fireTime(slot: $0) <= (fixtureNow + 10_800) * 1000 })
        let lines = report.table().split(separator: "\n").map(String.init)
        let done = try #require(lines.first { $0.hasPrefix("done") })
        #expect(done.contains("ended") && !done.contains("n/a"))
        #expect(lines.filter { $0.hasPrefix("done") }.count == 1)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [[String: Any]])
        #expect(json[0]["ended"] as? Bool == true && (json[0]["next"] as? [Any])?.isEmpty == true)
        #expect(json[1]["ended"] == nil && json[2]["ended"] == nil)
        // After 03:00 "closing" has ended too.
        let later = NextReport(jobFile: try file(), from: fixtureNow + 10_800, count: 5)
        #expect(later.rows.map(\.ended) == [true, true, false])
    }

    @Test func statusShowsEnded() throws {
        var ledger = LedgerState()
        let slot = fixtureNow - 2 * 86_400
        let token = ClientToken.make(salt: "", job: "done", flow: "fa", slot: slot)
        ledger.apply([.sent(job: "done", flow: "fa", slot: slot, token: token, at: Double(slot))], historyLimit: 50)
        let report = StatusReport(jobFile: try file(), ledger: ledger, nowMs: fixtureNow * 1000)
        #expect(report.rows.map(\.ended) == [true, false, false])
        // In LEFT, which the narrow table of a terminal keeps too.
        for layout in [TableLayout.full, TableLayout(width: 80)] {
            let done = try #require(report.table(layout: layout).split(separator: "\n").map(String.init).first { $0.hasPrefix("done") })
            #expect(done.contains("ended"), "\(layout)")
        }
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [[String: Any]])
        #expect(json.map { $0["ended"] as? Bool } == [true, false, false])
        #expect(json[0]["next"] is NSNull)
        // A "closing" slot whose jitter would carry it past end fires at end.
        let closing = report.rows[1]
        let next = try #require(closing.next)
        #expect(next.fireMs <= (fixtureNow + 10_800) * 1000)
    }
}
