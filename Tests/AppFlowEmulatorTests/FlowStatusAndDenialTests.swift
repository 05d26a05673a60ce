import AppFlowEmulator
import Foundation
import Testing

/// Declared flow statuses (`--flow NAME:KIND:STATUS`) and access denied per operation
/// (`--deny OPERATION`), which `appflowd check --aws` is tested against.
@Suite(.timeLimit(.minutes(2)))
struct FlowStatusAndDenialTests {
    @Test func aDeclaredStatusIsWhatDescribeFlowSays() throws {
        let harness = try EmulatorHarness(flows: [
            EmulatedFlow(name: "broken", status: .errored), EmulatedFlow(name: "nightly", trigger: .scheduled, status: .draft),
        ])
        let broken = try harness.call("/describe-flow", ["flowName": "broken"])
        #expect(broken.json["flowStatus"] as? String == "Errored")
        #expect((broken.json["flowStatusMessage"] as? String)?.isEmpty == false)
        let nightly = try harness.call("/describe-flow", ["flowName": "nightly"])
        #expect(nightly.json["flowStatus"] as? String == "Draft")
        #expect(nightly.json["flowStatusMessage"] == nil)
    }

    @Test(arguments: [FlowStatusValue.draft, .suspended])
    func startFlowActivatesADraftOrSuspendedScheduledFlow(status: FlowStatusValue) throws {
        let harness = try EmulatorHarness(flows: [EmulatedFlow(name: "nightly", trigger: .scheduled, status: status)])
        let started = try harness.startFlow("nightly", token: "t")
        #expect(started.status == 200)
        #expect(started.json["executionId"] == nil)
        #expect(try harness.call("/describe-flow", ["flowName": "nightly"]).json["flowStatus"] as? String == "Active")
        // A reset puts the declared status back.
        harness.core.reset()
        #expect(try harness.call("/describe-flow", ["flowName": "nightly"]).json["flowStatus"] as? String == status.rawValue)
    }

    @Test(arguments: [
        EmulatedFlow(name: "ondemand", status: .suspended), EmulatedFlow(name: "ondemand", status: .draft),
        EmulatedFlow(name: "ondemand", trigger: .scheduled, status: .errored), EmulatedFlow(name: "ondemand", status: .deprecated),
    ])
    func startFlowRefusesAFlowItCannotStart(flow: EmulatedFlow) throws {
        let harness = try EmulatorHarness(flows: [flow])
        let answer = try harness.startFlow("ondemand", token: "t")
        #expect(answer.status == 400)
        #expect(answer.errorCode == "ValidationException")
        #expect(try harness.allExecutions("ondemand", pageSize: 10).isEmpty)
    }

    @Test func aDeniedOperationIsAccessDeniedNamingTheAction() throws {
        let harness = try EmulatorHarness(faults: FaultSettings(denied: ["DescribeFlow"]))
        let denied = try harness.call("/describe-flow", ["flowName": "daily-sync"])
        #expect(denied.status == 403)
        #expect(denied.errorCode == "AccessDeniedException")
        let message = try #require(denied.json["message"] as? String)
        #expect(message.contains("is not authorized to perform: appflow:DescribeFlow on resource: arn:aws:appflow:"))
        #expect(message.contains(":flow/daily-sync"))
        #expect(harness.core.requests.last?.fault == .denied)
        // Other operations go through.
        #expect(try harness.startFlow("daily-sync", token: "t").status == 200)
        harness.core.setFaults(FaultSettings())
        #expect(try harness.call("/describe-flow", ["flowName": "daily-sync"]).status == 200)
    }

    @Test func unknownDeniedOperationsAndStatusesAreRefused() {
        #expect(FaultSettings(denied: ["DescribeFlows"]).validationProblem() != nil)
        #expect(FaultSettings(denied: ["StartFlow", "DescribeFlow"]).validationProblem() == nil)
        #expect(throws: EmulatorConfigurationError.self) { try EmulatedFlow(argument: "x1:ondemand:paused") }
        #expect(throws: EmulatorConfigurationError.self) { try EmulatedFlow(argument: "x1:ondemand:draft:more") }
    }

    @Test func statusesFromArgumentsAndFlowsFiles() throws {
        #expect(try EmulatedFlow(argument: "x1:scheduled:DRAFT") == EmulatedFlow(name: "x1", trigger: .scheduled, status: .draft))
        #expect(try EmulatedFlow(argument: "x1::suspended") == EmulatedFlow(name: "x1", status: .suspended))
        let decoded = try JSONDecoder().decode([EmulatedFlow].self, from: Data(#"[{"name": "x1", "status": "Errored"}]"#.utf8))
        #expect(decoded == [EmulatedFlow(name: "x1", status: .errored)])
    }
}
