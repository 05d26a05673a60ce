import Testing

@testable import MetricsExport

/// The heartbeat behind `/healthz` and the answers built from it, on instants the tests choose.
@Suite(.timeLimit(.minutes(1)))
struct LoopHeartbeatTests {
    static let start = ContinuousClock.now

    @Test func notAliveBeforeTheFirstBeat() {
        let heartbeat = LoopHeartbeat()
        #expect(heartbeat.last == nil)
        #expect(!heartbeat.isAlive(now: Self.start, within: .seconds(60)))
    }

    @Test func aliveWithinTheWindowAndStalledAfterIt() {
        let heartbeat = LoopHeartbeat()
        heartbeat.beat(at: Self.start)
        #expect(heartbeat.isAlive(now: Self.start, within: .seconds(60)))
        #expect(heartbeat.isAlive(now: Self.start + .seconds(60), within: .seconds(60)))
        #expect(!heartbeat.isAlive(now: Self.start + .seconds(61), within: .seconds(60)))
        heartbeat.beat(at: Self.start + .seconds(61))
        #expect(heartbeat.isAlive(now: Self.start + .seconds(61), within: .seconds(60)))
    }

    @Test func aBeatNeverMovesTheTimeBackwards() {
        let heartbeat = LoopHeartbeat()
        heartbeat.beat(at: Self.start + .seconds(10))
        heartbeat.beat(at: Self.start)
        #expect(heartbeat.last == Self.start + .seconds(10))
    }

    @Test func healthzAnswers200WhileAliveAnd503Otherwise() {
        let heartbeat = LoopHeartbeat()
        let health = MetricsExporter.Health(heartbeat: heartbeat, window: .seconds(60))
        let (before, beforeBody) = MetricsExporter.healthz(health, now: Self.start)
        #expect(before == .serviceUnavailable)
        #expect(beforeBody == "scheduling loop has not started\n")

        heartbeat.beat(at: Self.start)
        let (alive, aliveBody) = MetricsExporter.healthz(health, now: Self.start + .milliseconds(12_500))
        #expect(alive == .ok)
        #expect(aliveBody == "ok: last pass of the scheduling loop 12s ago\n")

        let (stalled, stalledBody) = MetricsExporter.healthz(health, now: Self.start + .seconds(90))
        #expect(stalled == .serviceUnavailable)
        #expect(stalledBody == "stalled: last pass of the scheduling loop 90s ago (limit 60s)\n")
    }
}
