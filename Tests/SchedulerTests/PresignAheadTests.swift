import JobFile
import Scheduling
import Testing
@testable import Scheduler

/// Requests signed ahead (issue 13): the slots recorded ahead are handed out to be signed, dated
/// at their fire times, one action per region and role, in slot order; only when asked for.
@Suite(.timeLimit(.minutes(1)))
struct PresignAheadTests {
    static let t0: Int64 = 1_800_000_000  // 2027-01-15 08:00:00 UTC
    static let fire = t0 + 1800  // every job: every 1h, offset 30m

    static let toml = """
        [[job]]
        name = "a"
        flow = "fa"
        region = "eu-west-1"
        every = "1h"
        offset = "30m"

        [[job]]
        name = "b"
        flow = "fb"
        region = "us-east-1"
        every = "1h"
        offset = "30m"

        [[job]]
        name = "c"
        flow = "fc"
        region = "eu-west-1"
        every = "1h"
        offset = "30m"
        jitter = "1500ms"
        """

    static func configuration(presign: Bool) -> SchedulerStateMachine.Configuration {
        var configuration = SchedulerStateMachine.Configuration(stopGrace: .seconds(10))
        configuration.presignAhead = presign
        return configuration
    }

    static func presigns(_ actions: [SchedulerAction]) -> [(String?, [PresignRequest])] {
        actions.compactMap { if case .presign(let target, let requests) = $0 { (target.region, requests) } else { nil } }
    }

    static func request(_ job: String, fireMs: Int64) -> PresignRequest {
        PresignRequest(flow: "f\(job)", token: ClientToken.make(salt: "", job: job, flow: "f\(job)", slot: fire), fireMs: fireMs)
    }

    @Test func theSlotsRecordedAheadAreSignedAheadPerRegion() throws {
        var d = try SchedulerDriver(Self.toml, nowMs: Self.t0 * 1000, configuration: Self.configuration(presign: true))
        #expect(Self.presigns(d.log).isEmpty, "nothing near at READY")
        d.tick(at: Self.fire * 1000 - 2000)
        let jitterC = Jitter.offsetMilliseconds(token: Self.request("c", fireMs: 0).token, jitterMilliseconds: 1500)
        let made = Self.presigns(d.log)
        #expect(made.map(\.0) == ["eu-west-1", "us-east-1"])
        #expect(made.first?.1 == [Self.request("a", fireMs: Self.fire * 1000), Self.request("c", fireMs: Self.fire * 1000 + jitterC)])
        #expect(made.last?.1 == [Self.request("b", fireMs: Self.fire * 1000)])
        d.completeWrite()
        d.tick(at: Self.fire * 1000)
        #expect(Self.presigns(d.log).count == 2, "signed once, not again at the fire time")
        #expect(d.sentTokens.count == 2)
    }

    @Test func notAskedNothingIsSignedAhead() throws {
        var d = try SchedulerDriver(Self.toml, nowMs: Self.t0 * 1000, configuration: Self.configuration(presign: false))
        d.tick(at: Self.fire * 1000 - 2000)
        d.completeWrite()
        d.tick(at: Self.fire * 1000)
        #expect(Self.presigns(d.log).isEmpty)
        #expect(d.sentTokens.count == 2)
    }
}
