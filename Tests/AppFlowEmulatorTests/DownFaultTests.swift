import AppFlowEmulator
import Foundation
import Testing

/// `down`: the endpoint closes every AppFlow connection unanswered, changes nothing, and comes
/// back with its memory intact.
@Suite(.timeLimit(.minutes(5))) struct DownFaultTests {
    @Test func downDropsEveryRequestBeforeAnyStateChangeAndComesBack() throws {
        let harness = try EmulatorHarness(faults: FaultSettings(failFirst: 1))
        harness.core.setFaults(FaultSettings(failFirst: 1, down: true))
        for _ in 0..<3 {
            let answer = try harness.startFlow("daily-sync", token: "outage")
            #expect(answer.dropped)
        }
        #expect(try harness.call("/list-flows", [:]).dropped)
        let records = harness.core.requests
        #expect(records.map(\.fault) == [.down, .down, .down, .down])
        #expect(records.allSatisfy { $0.status == 503 && $0.errorCode == "ServiceUnavailableException" && !$0.newRun })
        // No fail-first attempt was counted while down.
        #expect(harness.core.faults.down)
        harness.core.setFaults(FaultSettings(failFirst: 1))
        #expect(try harness.startFlow("daily-sync", token: "outage").status == 500)
        let started = try harness.startFlow("daily-sync", token: "outage")
        #expect(started.status == 200)
        #expect(try harness.allExecutions("daily-sync", pageSize: 10).count == 1)
    }

    @Test func downIsPatchedThroughTheAdminAPI() throws {
        let harness = try EmulatorHarness()
        let patched = try harness.admin("POST", "/_emulator/faults", #"{"down": true}"#)
        #expect(patched.status == 200)
        #expect(patched.json["down"] as? Bool == true)
        #expect(try harness.startFlow("daily-sync", token: "x").dropped)
        // Admin requests still answer while down.
        #expect(try harness.admin("GET", "/_emulator/health", "").status == 200)
        let restored = try harness.admin("POST", "/_emulator/faults", #"{"down": false}"#)
        #expect(restored.json["down"] as? Bool == false)
        #expect(try harness.startFlow("daily-sync", token: "x").status == 200)
    }
}

extension EmulatorHarness {
    /// An unsigned admin request, as `curl` would send it.
    fileprivate func admin(_ method: String, _ path: String, _ body: String) throws -> Answer {
        try send(IncomingRequest(method: method, uri: path, headers: [("Host", "127.0.0.1")], body: Array(body.utf8)))
    }
}
