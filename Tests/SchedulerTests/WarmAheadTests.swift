import JobFile
import Testing
@testable import Scheduler

/// The warm path (issue 13): `warmLead` before a fire time the machine asks for that slot's
/// client to be made ready, once per fire time, and wakes for it.
@Suite(.timeLimit(.minutes(1)))
struct WarmAheadTests {
    static let t0: Int64 = 1_800_000_000  // 2027-01-15 08:00:00 UTC
    static let ms = t0 * 1000

    static func configuration(lead: Duration?) -> SchedulerStateMachine.Configuration {
        var configuration = SchedulerStateMachine.Configuration(stopGrace: .seconds(10))
        configuration.warmLead = lead
        return configuration
    }

    static func warms(_ actions: [SchedulerAction]) -> [String?] {
        actions.compactMap { if case .warm(let target) = $0 { target.region } else { nil } }
    }

    static let twoRegions = """
        [[job]]
        name = "a"
        flow = "fa"
        region = "eu-west-1"
        every = "1m"

        [[job]]
        name = "b"
        flow = "fb"
        region = "us-east-1"
        every = "1m"
        offset = "30s"
        """

    @Test func warmsTheNextSlotsRegionAtTheLeadAndWakesForIt() throws {
        var d = try SchedulerDriver(Self.twoRegions, nowMs: Self.ms, configuration: Self.configuration(lead: .seconds(2)))
        #expect(Self.warms(d.log).isEmpty, "nothing is near at READY")
        #expect(d.wakeMs == (Self.t0 + 28) * 1000, "wakes at b's fire time (08:00:30) minus the lead")
        d.tick(at: (Self.t0 + 28) * 1000)
        #expect(Self.warms(d.log) == ["us-east-1"])
        #expect(d.wakeMs == (Self.t0 + 30) * 1000, "then at the fire time")
        d.tick(at: (Self.t0 + 29) * 1000)
        #expect(Self.warms(d.log).count == 1, "once per fire time")
        d.tick(at: (Self.t0 + 30) * 1000)
        d.completeWrite()
        #expect(d.sentTokens.count == 1)
        #expect(d.wakeMs == (Self.t0 + 58) * 1000, "a at 08:01:00 is next: its warm-up first")
        d.tick(at: (Self.t0 + 58) * 1000)
        #expect(Self.warms(d.log) == ["us-east-1", "eu-west-1"])
    }

    @Test func aBurstAtOneInstantIsWarmedOnce() throws {
        let toml = (0..<50).map { "[[job]]\nname = \"j\($0)\"\nflow = \"f\($0)\"\nevery = \"1h\"\n" }.joined()
        var d = try SchedulerDriver(toml, nowMs: Self.ms, configuration: Self.configuration(lead: .seconds(2)))
        d.tick(at: (Self.t0 + 3598) * 1000)
        d.tick(at: (Self.t0 + 3599) * 1000)
        d.tick(at: (Self.t0 + 3600) * 1000)
        d.drainLedger()
        #expect(Self.warms(d.log) == [nil], "one warm-up, for the environment's region")
    }

    @Test func aLateStartWarmsAtOnceAndStoppingWarmsNothing() throws {
        var d = try SchedulerDriver(Self.twoRegions, nowMs: (Self.t0 + 29) * 1000, configuration: Self.configuration(lead: .seconds(2)))
        #expect(Self.warms(d.log) == ["us-east-1"], "inside the lead at READY: warmed at once")
        d.send(.shutdownRequested)
        d.tick(at: (Self.t0 + 58) * 1000)
        #expect(Self.warms(d.log) == ["us-east-1"])
    }

    @Test func withoutALeadNothingIsWarmed() throws {
        var d = try SchedulerDriver(Self.twoRegions, nowMs: Self.ms, configuration: Self.configuration(lead: nil))
        #expect(d.wakeMs == (Self.t0 + 28) * 1000, "only for b's record, written ahead (docs/ledger.md)")
        d.tick(at: (Self.t0 + 28) * 1000)
        d.completeWrite()
        #expect(d.wakeMs == (Self.t0 + 30) * 1000)
        d.tick(at: (Self.t0 + 30) * 1000)
        #expect(d.sentTokens.count == 1)
        #expect(Self.warms(d.log).isEmpty)
    }
}
