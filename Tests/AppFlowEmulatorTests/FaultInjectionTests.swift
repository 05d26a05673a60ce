import AppFlowEmulator
import Foundation
import Testing

@Suite(.timeLimit(.minutes(5))) struct FaultInjectionTests {
    @Test func failFirstCountsAttemptsPerToken() throws {
        let harness = try EmulatorHarness(faults: FaultSettings(failFirst: 2))
        for _ in 0..<2 {
            let failed = try harness.startFlow("daily-sync", token: "a")
            #expect(failed.status == 500)
            #expect(failed.errorCode == "InternalServerException")
        }
        #expect(try harness.allExecutions("daily-sync", pageSize: 10).isEmpty)
        let third = try harness.startFlow("daily-sync", token: "a")
        #expect(third.status == 200)
        // Another token has its own count.
        #expect(try harness.startFlow("daily-sync", token: "b").status == 500)
        #expect(try harness.startFlow("daily-sync", token: "a").json["executionId"] as? String
            == third.json["executionId"] as? String)
        let faults = harness.core.requests.filter { $0.operation == "StartFlow" }.map(\.fault)
        #expect(faults == [.failFirst, .failFirst, nil, .failFirst, nil])
    }

    @Test func certainErrorAndThrottleHappenBeforeAnyRun() throws {
        let harness = try EmulatorHarness(faults: FaultSettings(errorRate: 1))
        #expect(try harness.startFlow("daily-sync", token: "a").errorCode == "InternalServerException")
        harness.core.setFaults(FaultSettings(throttleRate: 1))
        let throttled = try harness.startFlow("daily-sync", token: "a")
        #expect(throttled.status == 429)
        #expect(throttled.errorCode == "ThrottlingException")
        #expect(try harness.call("/list-flows", [:]).status == 429)
        harness.core.setFaults(FaultSettings())
        #expect(try harness.allExecutions("daily-sync", pageSize: 10).isEmpty)
    }

    @Test func droppedAnswersStillCreateTheRun() throws {
        let harness = try EmulatorHarness(faults: FaultSettings(dropRate: 1))
        let dropped = try harness.startFlow("daily-sync", token: "lost")
        #expect(dropped.dropped)
        let record = try #require(harness.core.requests.last)
        #expect(record.fault == .drop)
        #expect(record.newRun)
        harness.core.setFaults(FaultSettings())
        let retry = try harness.startFlow("daily-sync", token: "lost")
        #expect(retry.json["executionId"] as? String == record.executionId)
        #expect(try harness.allExecutions("daily-sync", pageSize: 10).count == 1)
    }

    @Test func latencyIsAddedAndSpikesAreRandom() throws {
        let harness = try EmulatorHarness(faults: FaultSettings(latencyMs: 30, latencySpikeMs: 500, latencySpikeRate: 0.5))
        var delays: Set<Int> = []
        for index in 0..<40 {
            _ = try harness.startFlow("daily-sync", token: "t\(index)")
            delays.insert(harness.core.requests.last?.delayMs ?? -1)
        }
        #expect(delays == [30, 530])
    }

    @Test func randomRatesFollowTheSeed() throws {
        func faults(seed: UInt64) throws -> [AppliedFault?] {
            let harness = try EmulatorHarness(faults: FaultSettings(errorRate: 0.3, throttleRate: 0.2), seed: seed)
            for index in 0..<200 { _ = try harness.startFlow("daily-sync", token: "t\(index)") }
            return harness.core.requests.map(\.fault)
        }
        let first = try faults(seed: 99)
        #expect(try faults(seed: 99) == first)
        let errors = first.filter { $0 == .error }.count
        let throttles = first.filter { $0 == .throttle }.count
        // 200 draws at 30% and (70% x 20%): generous bounds, deterministic for this seed.
        #expect((30...90).contains(errors))
        #expect((10...50).contains(throttles))
    }

    @Test func invalidRatesAreRejected() {
        #expect(FaultSettings(errorRate: 1.5).validationProblem() != nil)
        #expect(FaultSettings(failFirst: -1).validationProblem() != nil)
        #expect(FaultSettings(dropRate: 0.5).validationProblem() == nil)
    }
}
