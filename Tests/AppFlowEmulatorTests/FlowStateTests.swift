import AppFlowEmulator
import Foundation
import Testing

@Suite(.timeLimit(.minutes(5))) struct FlowStateTests {
    @Test func onDemandStartCreatesARunThatEndsAfterTheRunDuration() throws {
        let harness = try EmulatorHarness(runDuration: 2)
        let started = try harness.startFlow("daily-sync", token: "t-1")
        #expect(started.status == 200)
        #expect(started.json["flowStatus"] as? String == "Active")
        #expect(started.json["flowArn"] as? String == "arn:aws:appflow:eu-west-1:123456789012:flow/daily-sync")
        let executionId = try #require(started.json["executionId"] as? String)
        #expect(UUID(uuidString: executionId) != nil)

        harness.clock.advance(by: 1.999)
        var run = try #require(harness.allExecutions("daily-sync", pageSize: 10).first)
        #expect(run["executionId"] as? String == executionId)
        #expect(run["executionStatus"] as? String == "InProgress")

        harness.clock.advance(by: 0.001)
        run = try #require(harness.allExecutions("daily-sync", pageSize: 10).first)
        #expect(run["executionStatus"] as? String == "Successful")
        let result = try #require(run["executionResult"] as? [String: Any])
        #expect((result["recordsProcessed"] as? Int ?? 0) > 0)
        #expect((result["bytesProcessed"] as? Int ?? 0) > 0)
        #expect(result["errorInfo"] == nil)
    }

    @Test func errorFlowRunsEndInErrorWithAMessage() throws {
        let harness = try EmulatorHarness(flows: [EmulatedFlow(name: "broken", failsRuns: true)], runDuration: 0.5)
        _ = try harness.startFlow("broken", token: "a")
        harness.clock.advance(by: 1)
        let run = try #require(harness.allExecutions("broken", pageSize: 5).first)
        #expect(run["executionStatus"] as? String == "Error")
        let info = try #require((run["executionResult"] as? [String: Any])?["errorInfo"] as? [String: Any])
        #expect((info["putFailuresCount"] as? Int ?? 0) > 0)
        #expect((info["executionMessage"] as? String)?.isEmpty == false)
    }

    @Test(arguments: [FlowTrigger.scheduled, .event])
    func scheduledAndEventFlowsAreActivatedWithoutARun(trigger: FlowTrigger) throws {
        let harness = try EmulatorHarness(flows: [EmulatedFlow(name: "hourly", trigger: trigger)])
        let before = try harness.call("/describe-flow", ["flowName": "hourly"])
        #expect(before.json["flowStatus"] as? String == "Suspended")
        #expect((before.json["triggerConfig"] as? [String: Any])?["triggerType"] as? String == trigger.rawValue)

        let started = try harness.startFlow("hourly", token: "x")
        #expect(started.status == 200)
        #expect(started.json["flowStatus"] as? String == "Active")
        #expect(started.json["executionId"] == nil)
        #expect(try harness.allExecutions("hourly", pageSize: 10).isEmpty)
        let after = try harness.call("/describe-flow", ["flowName": "hourly"])
        #expect(after.json["flowStatus"] as? String == "Active")
        #expect(harness.core.requests.last { $0.operation == "StartFlow" }?.newRun == true)
    }

    @Test func sameTokenWithinEightHoursReplaysTheSameExecution() throws {
        let harness = try EmulatorHarness()
        let first = try harness.startFlow("daily-sync", token: "slot-1")
        harness.clock.advance(by: 8 * 3600 - 1)
        let replay = try harness.startFlow("daily-sync", token: "slot-1")
        #expect(replay.json["executionId"] as? String == first.json["executionId"] as? String)
        let record = try #require(harness.core.requests.last)
        #expect(try harness.allExecutions("daily-sync", pageSize: 50).count == 1)
        #expect(record.newRun == false)
        #expect(record.idempotentReplay)

        harness.clock.advance(by: 1)
        let expired = try harness.startFlow("daily-sync", token: "slot-1")
        #expect(expired.json["executionId"] as? String != first.json["executionId"] as? String)
        #expect(try harness.allExecutions("daily-sync", pageSize: 50).count == 2)
    }

    @Test func tokensAreScopedToTheFlowAndAbsentTokensAlwaysStartARun() throws {
        let harness = try EmulatorHarness(flows: [EmulatedFlow(name: "aa"), EmulatedFlow(name: "bb")])
        let a = try harness.startFlow("aa", token: "same")
        let b = try harness.startFlow("bb", token: "same")
        #expect(a.json["executionId"] as? String != b.json["executionId"] as? String)
        _ = try harness.startFlow("aa")
        _ = try harness.startFlow("aa")
        #expect(try harness.allExecutions("aa", pageSize: 50).count == 3)
    }

    @Test func executionRecordsPageNewestFirstWithoutRepeatsWhileRunsAreAdded() throws {
        let harness = try EmulatorHarness()
        var ids: [String] = []
        for index in 0..<45 {
            harness.clock.advance(by: 1)
            ids.append(try #require(harness.startFlow("daily-sync", token: "t\(index)").json["executionId"] as? String))
        }
        let first = try harness.executions("daily-sync", maxResults: 20)
        let firstPage = (first.json["flowExecutions"] as? [[String: Any]] ?? []).compactMap { $0["executionId"] as? String }
        #expect(firstPage == Array(ids.reversed().prefix(20)))
        // A run started between pages must not shift the next page.
        _ = try harness.startFlow("daily-sync", token: "late")
        var token = first.json["nextToken"] as? String
        var rest: [String] = []
        while let next = token {
            let page = try harness.executions("daily-sync", maxResults: 20, nextToken: next)
            rest += (page.json["flowExecutions"] as? [[String: Any]] ?? []).compactMap { $0["executionId"] as? String }
            token = page.json["nextToken"] as? String
        }
        #expect(rest == Array(ids.reversed().dropFirst(20)))
    }

    @Test func listFlowsPagesInNameOrder() throws {
        let names = (1...7).map { "flow-\($0)" }
        let harness = try EmulatorHarness(flows: names.reversed().map { EmulatedFlow(name: $0) })
        var seen: [String] = []
        var token: String?
        repeat {
            var body: [String: Any] = ["maxResults": 3]
            if let token { body["nextToken"] = token }
            let page = try harness.call("/list-flows", body)
            #expect(page.status == 200)
            let flows = page.json["flows"] as? [[String: Any]] ?? []
            #expect(flows.count <= 3)
            seen += flows.compactMap { $0["flowName"] as? String }
            token = page.json["nextToken"] as? String
        } while token != nil
        #expect(seen == names)
    }

    @Test func conflictWhileRunningOnlyWhenEnabled() throws {
        let harness = try EmulatorHarness(faults: FaultSettings(conflictWhenRunning: true), runDuration: 10)
        #expect(try harness.startFlow("daily-sync", token: "one").status == 200)
        let second = try harness.startFlow("daily-sync", token: "two")
        #expect(second.status == 409)
        #expect(second.errorCode == "ConflictException")
        // The first token still replays rather than conflicting.
        #expect(try harness.startFlow("daily-sync", token: "one").status == 200)
        harness.clock.advance(by: 10)
        #expect(try harness.startFlow("daily-sync", token: "two").status == 200)
    }

    @Test func theSameSeedGivesTheSameExecutionIds() throws {
        let first = try EmulatorHarness(seed: 7)
        let second = try EmulatorHarness(seed: 7)
        let a = try first.startFlow("daily-sync", token: "x").json["executionId"] as? String
        let b = try second.startFlow("daily-sync", token: "x").json["executionId"] as? String
        #expect(a != nil)
        #expect(a == b)
    }
}
