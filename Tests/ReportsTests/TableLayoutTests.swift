import Foundation
import JobFile
import Ledger
import Scheduling
import Testing
@testable import Reports

/// On a terminal the tables fit (100 columns here); piped or `--wide` they are whole.
@Suite(.timeLimit(.minutes(1)))
struct TableLayoutTests {
    static let longJob = "accounts-nightly-from-the-salesforce-production-org"
    static let longFlow = "salesforce-production-accounts-to-s3-raw-bucket"

    static let toml = """
        timezone = "Europe/Berlin"
        [[job]]
        name = "\(longJob)"
        flow = "\(longFlow)"
        cron = "0 2 * * *"
        jitter = "30s"
        [[job]]
        flow = "orders"
        every = "15m"
        """

    func nextReport() throws -> NextReport {
        NextReport(jobFile: try jobFile(Self.toml, now: fixtureNow), from: fixtureNow, count: 1)
    }

    func statusReport() throws -> StatusReport {
        let slot = fixtureNow - 3600
        let token = ClientToken.make(salt: "", job: Self.longJob, flow: Self.longFlow, slot: slot)
        var state = LedgerState()
        state.apply([
            .sent(job: Self.longJob, flow: Self.longFlow, slot: slot, token: token, at: Double(slot)),
            LedgerRecord(kind: .outcome, job: Self.longJob, flow: Self.longFlow, slot: slot, token: token, at: Double(slot) + 1,
                         outcome: .failed, final: true, executionId: "4f7c2a9e-1b2c-4d5e-8f90-123456789abc",
                         errorCode: "ServiceQuotaExceededException", message: "too many", attempts: 1),
        ], historyLimit: 50)
        return StatusReport(jobFile: try jobFile(Self.toml, now: fixtureNow), ledger: state, nowMs: fixtureNow * 1000)
    }

    static func lines(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    @Test(arguments: [100, 80])
    func onATerminalEveryLineFits(width: Int) throws {
        var tables = [try nextReport().table(layout: TableLayout(width: width)), try statusReport().table(layout: TableLayout(width: width))]
        // One job's history has more fixed columns (its slot times): it fits 100.
        if width >= 100 { tables.append(try #require(try statusReport().historyTable(job: Self.longJob, count: 5, layout: TableLayout(width: width)))) }
        for table in tables {
            let long = Self.lines(table).filter { $0.count > width }
            #expect(long.isEmpty, "wider than \(width): \(long)")
            #expect(table.contains("…"))
        }
        let next = Self.lines(tables[0])
        #expect(next[0].split(separator: " ", omittingEmptySubsequences: true) == ["JOB", "FLOW", "NEXT", "LEFT", "TOKEN"])
        let status = Self.lines(tables[1])
        #expect(status[0].split(separator: " ", omittingEmptySubsequences: true) == ["JOB", "FLOW", "PASSED", "OUTCOME", "EXECUTION", "LEFT", "ERROR"])
    }

    @Test func pipedEverythingIsWhole() throws {
        let next = try nextReport().table()
        #expect(next.contains(Self.longJob) && next.contains(Self.longFlow) && !next.contains("…"))
        #expect(Self.lines(next)[0].contains("UTC") && next.contains("appflowd-"))
        let status = try statusReport().table()
        #expect(status.contains("4f7c2a9e-1b2c-4d5e-8f90-123456789abc") && status.contains("ServiceQuotaExceededException"))
        #expect(Self.lines(status)[0].contains("LAST") && Self.lines(status)[0].contains("RECORDS"))
    }

    @Test func noLegendDropsHeaderAndFooter() throws {
        let text = try nextReport().table(layout: TableLayout(width: nil, legend: false))
        let lines = Self.lines(text).filter { !$0.isEmpty }
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix("orders ") && lines[1].hasPrefix(Self.longJob))
        #expect(!text.contains("listed"))
        #expect(!(try statusReport().table(layout: TableLayout(width: 100, legend: false))).contains("JOB"))
    }

    @Test func nextJSONHasTheFireTimeInTheJobsZone() throws {
        let json = try #require(try JSONSerialization.jsonObject(with: Data(try nextReport().json().utf8)) as? [[String: Any]])
        let next = try #require((json[0]["next"] as? [[String: String]])?.first)
        let token = try #require(next["clientToken"])
        let jitter = Jitter.offsetMilliseconds(token: token, jitterMilliseconds: 30_000)
        #expect(next["local"] == "2026-11-26T02:00:00+01:00")
        #expect(next["fireLocal"] == String(format: "2026-11-26T02:00:%02d.%03d+01:00", jitter / 1000, jitter % 1000))
        #expect(next["fire"] == String(format: "2026-11-26T01:00:%02d.%03dZ", jitter / 1000, jitter % 1000))
    }
}
