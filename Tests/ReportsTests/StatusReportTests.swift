import Foundation
import JobFile
import Ledger
import Scheduling
import Testing
import TestSupport
@testable import Reports

/// `appflowd status` rendering from a ledger state built record by record, at a fixed "now".
@Suite(.timeLimit(.minutes(1)))
struct StatusReportTests {
    static let t0: Int64 = 1_800_000_000  // Fri 2027-01-15 08:00:00 UTC

    static let toml = """
        timezone = "UTC"
        [[job]]
        name = "hourly"
        flow = "accounts"
        every = "1h"
        wait = true
        [[job]]
        name = "fresh"
        flow = "orders"
        every = "15m"
        [[job]]
        name = "off"
        flow = "orders"
        every = "1h"
        enabled = false
        """

    static func token(_ job: String, _ flow: String, _ slot: Int64) -> String {
        ClientToken.make(salt: "", job: job, flow: flow, slot: slot)
    }

    /// hourly: 06:00 succeeded (e-6, 120 records), 07:00 failed after 3 attempts; "gone" is only
    /// in the ledger; "fresh" never ran.
    static func ledger() -> LedgerState {
        let s6 = t0 - 7200, s7 = t0 - 3600
        var state = LedgerState()
        state.apply([
            .sent(job: "hourly", flow: "accounts", slot: s6, token: token("hourly", "accounts", s6), at: Double(s6) + 0.01),
            LedgerRecord(kind: .outcome, job: "hourly", flow: "accounts", slot: s6, token: token("hourly", "accounts", s6), at: Double(s6) + 0.2,
                         outcome: .started, final: false, executionId: "e-6", attempts: 1),
            LedgerRecord(kind: .outcome, job: "hourly", flow: "accounts", slot: s6, token: token("hourly", "accounts", s6), at: Double(s6) + 300,
                         outcome: .succeeded, final: true, recordsProcessed: 120),
            .sent(job: "hourly", flow: "accounts", slot: s7, token: token("hourly", "accounts", s7), at: Double(s7) + 0.01),
            LedgerRecord(kind: .outcome, job: "hourly", flow: "accounts", slot: s7, token: token("hourly", "accounts", s7), at: Double(s7) + 9,
                         outcome: .failed, final: true, errorCode: "AccessDeniedException", message: "no", attempts: 3),
            .sent(job: "gone", flow: "old-flow", slot: s6, token: token("gone", "old-flow", s6), at: Double(s6)),
        ], historyLimit: 50)
        return state
    }

    func report(now: Int64 = StatusReportTests.t0 * 1000 + 600_000) throws -> StatusReport {
        StatusReport(jobFile: try jobFile(Self.toml, now: Self.t0), ledger: Self.ledger(), nowMs: now)
    }

    @Test func tableShowsLastAndNextLikeListTimers() throws {
        let lines = try report().table().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0].split(separator: " ", omittingEmptySubsequences: true) == ["JOB", "FLOW", "LAST", "PASSED", "OUTCOME", "EXECUTION", "RECORDS", "NEXT", "LEFT", "ERROR"])
        // Sorted by next fire: fresh (08:15), hourly (09:00), then the disabled and the removed job.
        #expect(lines[1].hasPrefix("fresh "))
        #expect(lines[1].contains("never run") && lines[1].contains("Fri 2027-01-15 08:15:00 ") && lines[1].contains("5min left"))
        #expect(lines[2].hasPrefix("hourly "))
        // (Foundation names the UTC zone "GMT" or "UTC" depending on the platform.)
        #expect(lines[2].contains("Fri 2027-01-15 07:00:00 ") && lines[2].contains("  1h 10min ago  "))
        #expect(lines[2].contains("failed") && lines[2].hasSuffix("AccessDeniedException"))
        #expect(lines[2].contains("Fri 2027-01-15 09:00:00 ") && lines[2].contains("  50min left  "))
        #expect(lines[3].hasPrefix("off ") && lines[3].contains("disabled"))
        #expect(lines[4].hasPrefix("gone ") && lines[4].contains("old-flow") && lines[4].contains("pending") && lines[4].contains("not in job file"))
        #expect(lines.contains("4 jobs listed."))
        // Columns line up: every row's NEXT starts where the header's does.
        let column = try #require(lines[0].range(of: "NEXT")).lowerBound.utf16Offset(in: lines[0])
        #expect(lines[1...2].allSatisfy { $0.dropFirst(column).hasPrefix("Fri 2027-01-15 0") })
    }

    @Test func jsonCarriesTheLedgerFieldsAndTheNextSlot() throws {
        let text = try report().json()
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
        #expect(rows.map { $0["job"] as? String } == ["hourly", "fresh", "off", "gone"], "job-file order, then ledger-only jobs")
        let last = try #require(rows[0]["last"] as? [String: Any])
        #expect(last["slot"] as? String == "2027-01-15T07:00:00Z")
        #expect(last["outcome"] as? String == "failed")
        #expect(last["attempts"] as? Int == 3)
        #expect(last["errorCode"] as? String == "AccessDeniedException")
        #expect(last["clientToken"] as? String == Self.token("hourly", "accounts", Self.t0 - 3600))
        #expect(last["executionId"] is NSNull)
        let next = try #require(rows[0]["next"] as? [String: Any])
        #expect(next["nominal"] as? String == "2027-01-15T09:00:00Z")
        #expect(next["clientToken"] as? String == Self.token("hourly", "accounts", Self.t0 + 3600))
        #expect(rows[1]["last"] is NSNull && (rows[1]["next"] as? [String: Any])?["nominal"] as? String == "2027-01-15T08:15:00Z")
        #expect(rows[2]["enabled"] as? Bool == false && rows[2]["next"] is NSNull)
        #expect(rows[3]["inJobFile"] as? Bool == false && rows[3]["pending"] as? Int == 1)
        #expect((rows[3]["last"] as? [String: Any])?["outcome"] is NSNull)
    }

    @Test(arguments: [1, 2, 5])
    func historyIsNewestFirstAndLimited(count: Int) throws {
        let report = try report()
        let json = try #require(report.historyJSON(job: "hourly", count: count))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let slots = try #require(object["slots"] as? [[String: Any]])
        #expect(slots.count == min(count, 2))
        #expect(slots.first?["outcome"] as? String == "failed")
        if count > 1 {
            #expect(slots[1]["outcome"] as? String == "succeeded")
            #expect(slots[1]["executionId"] as? String == "e-6", "the succeeded record keeps the started record's execution id")
            #expect(slots[1]["recordsProcessed"] as? Int == 120)
        }
        let table = try #require(report.historyTable(job: "hourly", count: count))
        #expect(table.contains("AccessDeniedException: no"))
        #expect(table.contains("e-6") == (count > 1))
        #expect(report.historyTable(job: "nope", count: count) == nil)
    }

    @Test func theNextSlotIsNeverOneTheLedgerAlreadyDecided() throws {
        // The daemon recorded 08:15 already (fired early by clock skew or a jitter-free catch-up):
        // the next slot is 08:30.
        var state = Self.ledger()
        let s815 = Self.t0 + 900
        state.apply(.sent(job: "fresh", flow: "orders", slot: s815, token: Self.token("fresh", "orders", s815), at: Double(s815)), historyLimit: 50)
        let report = StatusReport(jobFile: try jobFile(Self.toml, now: Self.t0), ledger: state, nowMs: Self.t0 * 1000 + 600_000)
        #expect(report.rows[1].next?.slot == Self.t0 + 1800)
        #expect(report.rows[1].last?.outcome == nil && report.table().contains("pending"))
    }

    /// A slot whose `sent` was written ahead of its fire time (docs/ledger.md) is not sent before
    /// that time: neither LAST nor pending until then; the next slot meanwhile.
    @Test func aSlotRecordedAheadOfItsFireTimeIsTheNextOneUntilItFires() throws {
        var state = Self.ledger()
        let s815 = Self.t0 + 900
        state.apply(.sentAhead(job: "fresh", flow: "orders", slot: s815, token: Self.token("fresh", "orders", s815),
                               at: Double(s815) - 2, fireAt: Double(s815)), historyLimit: 50)
        let before = StatusReport(jobFile: try jobFile(Self.toml, now: Self.t0), ledger: state, nowMs: s815 * 1000 - 1000)
        #expect(before.rows[1].last == nil && before.rows[1].pending == 0)
        #expect(before.rows[1].next?.slot == s815)
        let after = StatusReport(jobFile: try jobFile(Self.toml, now: Self.t0), ledger: state, nowMs: s815 * 1000 + 1000)
        #expect(after.rows[1].last?.slot == s815 && after.rows[1].pending == 1, "possibly sent from its fire time on")
    }

    @Test func withoutAJobFileTheLedgerIsStillShown() throws {
        let report = StatusReport(jobFile: nil, ledger: Self.ledger(), nowMs: Self.t0 * 1000)
        #expect(report.rows.map(\.job) == ["gone", "hourly"])
        #expect(report.rows.allSatisfy { $0.next == nil && !$0.inJobFile })
    }

    // Issue 18, item 4: what the endpoint said is shown, never obeyed by the terminal.
    @Test func controlCharactersFromTheEndpointAreEscaped() throws {
        let slot = Self.t0 - 3600
        let hostile = "\u{1b}]0;owned\u{07}\u{1b}[2J\rline\nnext\u{202e}"
        var state = LedgerState()
        state.apply([
            .sent(job: "hourly", flow: "accounts", slot: slot, token: Self.token("hourly", "accounts", slot), at: Double(slot)),
            LedgerRecord(kind: .outcome, job: "hourly", flow: "accounts", slot: slot, token: Self.token("hourly", "accounts", slot),
                         at: Double(slot) + 1, outcome: .failed, final: true, executionId: "e\u{1b}[31m", errorCode: "Code\u{1b}",
                         message: hostile, attempts: 1),
        ], historyLimit: 50)
        let report = StatusReport(jobFile: try jobFile(Self.toml, now: Self.t0), ledger: state, nowMs: Self.t0 * 1000)
        let history = try #require(report.historyTable(job: "hourly", count: 5))
        for text in [report.table(), history] {
            #expect(!text.unicodeScalars.contains { $0.properties.generalCategory == .control && $0 != "\n" }, "\(text)")
            #expect(!text.unicodeScalars.contains("\u{202e}"))
        }
        #expect(history.contains(#"\u{1b}]0;owned\u{7}\u{1b}[2J\rline\nnext\u{202e}"#))
        #expect(report.table().contains(#"e\u{1b}[31m"#))
        #expect(history.split(separator: "\n").count == 3, "title, header, one slot: \(history)")
    }
}
