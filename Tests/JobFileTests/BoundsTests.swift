import Foundation
import Scheduling
import Testing
@testable import JobFile

/// `start` and `end` on a job: parsed as RFC 3339 instants, checked against the schedule.
@Suite(.timeLimit(.minutes(1)))
struct BoundsTests {
    func diagnostics(_ job: String) -> [String] {
        JobFileLoader.parse("timezone = \"UTC\"\n[[job]]\nflow = \"fa\"\n" + job, fileName: "b.toml", now: fixtureNow).diagnostics.map(\.description)
    }

    @Test func boundsLimitTheJobsSlotsAndCapItsFireTimes() throws {
        let text = """
            [[job]]
            flow = "fa"
            every = "1h"
            jitter = "2h"
            start = "2026-12-01T00:00:00Z"
            end = "2026-12-01T03:30:00+01:00"
            """
        let (file, diagnostics) = JobFileLoader.parse(text, fileName: "b.toml", now: fixtureNow)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let job = try #require(file?.jobs.first)
        let start: Int64 = 1_796_083_200  // 2026-12-01T00:00:00Z
        #expect(job.bounds == SlotBounds(start: start, end: start + 9_000))
        // 00:00, 01:00, 02:00 UTC; 03:00 is after 02:30Z.
        var slots: [Int64] = []
        var cursor = fixtureNow
        while let next = job.schedule.nextSlot(after: cursor) { slots.append(next); cursor = next }
        #expect(slots == [start, start + 3600, start + 7200])
        // Tokens are the unbounded job's; no fire time is after end.
        for slot in slots {
            #expect(job.clientToken(slot: slot) == ClientToken.make(salt: "", job: "fa", flow: "fa", slot: slot))
            #expect(job.fireTime(slot: slot) >= slot * 1000 && job.fireTime(slot: slot) <= (start + 9_000) * 1000)
        }
    }

    @Test(arguments: [
        ("every = \"1h\"\nstart = \"2027-01-01T00:00:00Z\"\nend = \"2027-01-01T00:00:00Z\"\n",
         "b.toml:6:7: error: 'end' (2027-01-01T00:00:00Z) must be after 'start' (2027-01-01T00:00:00Z)"),
        ("every = \"1h\"\nstart = \"2027-01-01 00:00\"\n",
         "b.toml:5:9: error: 'start' = \"2027-01-01 00:00\" has no zone: write an instant like \"2027-01-01T00:00:00Z\" or \"2027-01-01T00:00:00+01:00\""),
        ("every = \"1h\"\nend = 2027-01-01T00:00:00Z\n",
         "b.toml:5:7: error: 'end' must be an RFC 3339 instant as a quoted string, like \"2027-01-01T00:00:00Z\", not a date-time"),
        ("every = \"1h\"\nend = \"2027-13-01T00:00:00Z\"\n",
         "b.toml:5:13: error: bad 'end': '2027-13-01T00:00:00Z' is not a date-time (month 13 out of range); write RFC 3339 like 2026-12-01T09:00:00Z or a local time like 2026-12-01 09:00"),
        ("at = \"2027-01-01T00:00:00Z\"\nend = \"2027-06-30T00:00:00Z\"\n",
         "b.toml:5:1: error: 'end' applies to recurring jobs (cron, calendar, every): an 'at' job starts at its listed times only"),
        ("cron = \"0 0 1 1 *\"\nstart = \"2027-01-02T00:00:00Z\"\nend = \"2027-12-31T00:00:00Z\"\n",
         "b.toml:5:9: error: the schedule has no slot between 'start' and 'end': this job would never start"),
        ("calendar = \"2027-03-01 00:00\"\nstart = \"2027-06-01T00:00:00Z\"\n",
         "b.toml:5:9: error: the schedule has no slot on or after 'start' (2027-06-01T00:00:00Z): this job would never start"),
        ("every = \"1h\"\nend = \"2026-11-01T00:00:00Z\"\n",
         "b.toml:5:7: warning: no slot is left before 'end' (2026-11-01T00:00:00Z): this job has ended and will not start again"),
    ])
    func badBoundsAreDiagnosed(_ job: String, _ expected: String) {
        #expect(diagnostics(job) == [expected])
    }

    @Test func futureBoundsAreQuiet() {
        #expect(diagnostics("cron = \"0 2 * * *\"\nstart = \"2026-11-20T00:00:00Z\"\nend = \"2027-06-30T00:00:00Z\"\n").isEmpty)
    }
}
