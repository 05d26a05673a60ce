import JobFile
import Scheduling
import Testing
@testable import Scheduler

/// The planner with an injected present: firing order, catch-up, the window, clock steps.
@Suite(.timeLimit(.minutes(1)))
struct SchedulePlannerTests {
    static let t0: Int64 = 1_800_000_000  // 2027-01-15T08:00:00Z, a multiple of 60

    func slots(_ batch: SchedulePlanner.Batch) -> [String] {
        batch.due.map { "\($0.jobName)@\($0.slot - Self.t0)" }
    }

    @Test func firesInTimeOrderAcrossJobsAndNeverTwice() throws {
        let file = try jobFile("""
            [[job]]
            name = "a"
            flow = "fa"
            every = "10s"
            [[job]]
            name = "b"
            flow = "fb"
            every = "15s"
            """)
        var planner = SchedulePlanner(jobs: file.jobs, resumeAfter: [:], nowMs: Self.t0 * 1000)
        #expect(planner.nextFireMs == (Self.t0 + 10) * 1000)
        #expect(slots(planner.popDue(nowMs: (Self.t0 + 9) * 1000)).isEmpty)
        #expect(slots(planner.popDue(nowMs: (Self.t0 + 10) * 1000)) == ["a@10"])
        #expect(slots(planner.popDue(nowMs: (Self.t0 + 10) * 1000)).isEmpty)
        // Looked at late: only each job's newest due slot is current (SPEC section 2).
        let late = planner.popDue(nowMs: (Self.t0 + 30) * 1000)
        #expect(slots(late) == ["a@30", "b@30"])
        #expect(late.skipped.map { "\($0.newest.jobName)@\($0.newest.slot - Self.t0)x\($0.count)" }.sorted() == ["a@20x1", "b@15x1"])
        #expect(planner.nextFireMs == (Self.t0 + 40) * 1000)
    }

    @Test func clockSteppedBackDoesNotRepeatASlot() throws {
        let file = try jobFile("[[job]]\nname = \"a\"\nflow = \"fa\"\nevery = \"10s\"\n")
        var planner = SchedulePlanner(jobs: file.jobs, resumeAfter: [:], nowMs: Self.t0 * 1000)
        #expect(slots(planner.popDue(nowMs: (Self.t0 + 10) * 1000)) == ["a@10"])
        // The clock goes back an hour: nothing is due until it reaches the next slot again.
        #expect(slots(planner.popDue(nowMs: (Self.t0 - 3600) * 1000)).isEmpty)
        #expect(planner.nextFireMs == (Self.t0 + 20) * 1000)
        #expect(slots(planner.popDue(nowMs: (Self.t0 + 20) * 1000)) == ["a@20"])
    }

    @Test(arguments: [
        (CatchUp.latest, ["a@240"], 2),
        (CatchUp.all, ["a@0", "a@120", "a@240"], 0),
        (CatchUp.skip, [], 3),
    ])
    func catchUpAfterDowntime(policy: CatchUp, expected: [String], skippedCount: Int) throws {
        let file = try jobFile("[[job]]\nname = \"a\"\nflow = \"fa\"\nevery = \"2m\"\ncatch_up = \"\(policy.rawValue)\"\n")
        // Last decided slot: t0 - 120. The daemon comes back at t0 + 330: t0, t0+120 and t0+240
        // were missed (all more than a minute late).
        var planner = SchedulePlanner(jobs: file.jobs, resumeAfter: ["a": Self.t0 - 120], nowMs: (Self.t0 + 330) * 1000)
        let batch = planner.popDue(nowMs: (Self.t0 + 330) * 1000)
        #expect(slots(batch) == expected)
        #expect(batch.skipped.map(\.count).reduce(0, +) == skippedCount)
        #expect(planner.nextFireMs == (Self.t0 + 360) * 1000)
    }

    @Test func slotsOlderThanTheWindowAreNeverStarted() throws {
        let file = try jobFile("[[job]]\nname = \"a\"\nflow = \"fa\"\nevery = \"1h\"\ncatch_up = \"all\"\ncatch_up_window = \"2h\"\n")
        let now = Self.t0 + 10 * 3600 + 60
        var planner = SchedulePlanner(jobs: file.jobs, resumeAfter: ["a": Self.t0], nowMs: now * 1000)
        let batch = planner.popDue(nowMs: now * 1000)
        // Window start: now - 2h = t0 + 8h + 60s, so t0+9h and t0+10h are started; t0+1h ... t0+8h are not.
        #expect(slots(batch) == ["a@32400", "a@36000"])
        #expect(batch.skipped.count == 1)
        #expect(batch.skipped.first?.reason.contains("older than catch_up_window") == true)
    }

    @Test func aSlotJustDueIsStartedWhateverThePolicy() throws {
        let file = try jobFile("[[job]]\nname = \"a\"\nflow = \"fa\"\nevery = \"1m\"\ncatch_up = \"skip\"\n")
        var planner = SchedulePlanner(jobs: file.jobs, resumeAfter: ["a": Self.t0 - 60], nowMs: Self.t0 * 1000)
        #expect(slots(planner.popDue(nowMs: Self.t0 * 1000 + 2_000)) == ["a@0"])
    }

    @Test func newJobsDoNotFireForThePast() throws {
        let file = try jobFile("[[job]]\nname = \"a\"\nflow = \"fa\"\nevery = \"1m\"\ncatch_up = \"all\"\n")
        var planner = SchedulePlanner(jobs: file.jobs, resumeAfter: [:], nowMs: (Self.t0 + 30) * 1000)
        #expect(slots(planner.popDue(nowMs: (Self.t0 + 30) * 1000)).isEmpty)
        #expect(planner.nextFireMs == (Self.t0 + 60) * 1000)
    }

    @Test func disabledJobsNeverFireAndJitterDelaysTheFire() throws {
        let file = try jobFile("""
            [[job]]
            name = "off"
            flow = "fx"
            every = "1m"
            enabled = false
            [[job]]
            name = "j"
            flow = "fx"
            every = "1m"
            jitter = "30s"
            """)
        var planner = SchedulePlanner(jobs: file.jobs, resumeAfter: [:], nowMs: Self.t0 * 1000)
        let job = file.jobs[1]
        // The slot at t0 itself fires t0 + jitter, still in the future: it is the first.
        let expectedFire = job.fireTime(slot: Self.t0)
        #expect(planner.nextFireMs == expectedFire)
        #expect(expectedFire > Self.t0 * 1000 && expectedFire < (Self.t0 + 30) * 1000)
        let batch = planner.popDue(nowMs: expectedFire)
        #expect(batch.due.map(\.jobName) == ["j"])
        #expect(batch.due.first?.token == job.clientToken(slot: Self.t0))
    }

    @Test func thousandsOfJobsDueAtOnceComeOutInSlotThenFileOrder() throws {
        var text = ""
        for i in 0..<2000 { text += "[[job]]\nname = \"j\(i)\"\nflow = \"fx\"\nevery = \"1m\"\n" }
        let file = try jobFile(text)
        var planner = SchedulePlanner(jobs: file.jobs, resumeAfter: [:], nowMs: Self.t0 * 1000)
        let batch = planner.popDue(nowMs: (Self.t0 + 60) * 1000)
        #expect(batch.due.count == 2000)
        #expect(batch.due.map(\.jobOrder) == Array(0..<2000))
    }

    /// `start` and `end`: the planner sees only the slots between them, every one of them starts
    /// (a jitter longer than what is left before `end` is narrowed, not piled up at `end`), none
    /// fires after `end`, and then the job is done.
    @Test func boundedJobStartsEverySlotBetweenStartAndEndAndNoneAfter() throws {
        let file = try jobFile("""
            [[job]]
            name = "b"
            flow = "fb"
            every = "10s"
            jitter = "1h"
            start = "2027-01-15T08:00:30Z"
            end = "2027-01-15T08:01:30Z"
            """)
        var planner = SchedulePlanner(jobs: file.jobs, resumeAfter: [:], nowMs: Self.t0 * 1000)
        var started: [DueSlot] = []
        var skipped = 0
        while let fire = planner.nextFireMs {
            let batch = planner.popDue(nowMs: fire)
            started += batch.due
            skipped += batch.skipped.map(\.count).reduce(0, +)
        }
        #expect(started.map(\.slot).sorted() == Array(stride(from: Self.t0 + 30, through: Self.t0 + 90, by: 10)))
        #expect(skipped == 0)
        #expect(started.allSatisfy { $0.fireMs >= $0.slot * 1000 && $0.fireMs <= (Self.t0 + 90) * 1000 })
        #expect(started.allSatisfy { $0.token == ClientToken.make(salt: "", job: "b", flow: "fb", slot: $0.slot) })
    }
}
