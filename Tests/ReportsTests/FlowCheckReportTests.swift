import Foundation
import Scheduler
import Testing
@testable import Reports

/// `appflowd check --aws`: DescribeFlow's answers -> verdicts, the table, the summary and the JSON.
@Suite(.timeLimit(.minutes(2)))
struct FlowCheckReportTests {
    typealias Severity = FlowCheckReport.Severity

    static func described(_ trigger: String?, _ status: String?) -> FlowCheckReport.Answer {
        .described(.init(flowArn: "arn:aws:appflow:eu-west-1:123456789012:flow/f", triggerType: trigger, flowStatus: status))
    }

    static func failed(_ code: String, _ message: String = "", retryable: Bool = false) -> FlowCheckReport.Answer {
        .failed(CallFailure(code: code, message: message, retryable: retryable))
    }

    static let cases: [(FlowCheckReport.Answer, Severity, String)] = [
        (described("OnDemand", "Active"), .ok, "starts a run"),
        (described("Scheduled", "Active"), .warning, "Scheduled flow: StartFlow activates it, no run"),
        (described("Event", "Active"), .warning, "Event flow: StartFlow activates it, no run"),
        (described("Scheduled", "Draft"), .warning, "Scheduled flow, Draft: StartFlow activates it, no run"),
        (described("Event", "Suspended"), .warning, "Event flow, Suspended: StartFlow activates it, no run"),
        (described("OnDemand", "Suspended"), .error, "Suspended: StartFlow fails"),
        (described("OnDemand", "Draft"), .error, "Draft: StartFlow fails"),
        (described("Scheduled", "Errored"), .error, "Errored: StartFlow fails"),
        (described("OnDemand", "Deleted"), .error, "Deleted: StartFlow fails"),
        (described("Event", "Deprecated"), .error, "Deprecated: StartFlow fails"),
        (described("OnDemand", "Paused"), .warning, "flow status Paused unknown to appflowd: StartFlow may fail"),
        (described(nil, "Active"), .warning, "trigger type - unknown to appflowd: StartFlow may not start a run"),
        (failed("ResourceNotFoundException", "Flow f does not exist."), .error, "flow not found"),
        (failed("AccessDeniedException", "no detail"), .error, "access denied: needs appflow:DescribeFlow"),
        (failed("AccessDeniedException", "User: arn:aws:iam::123456789012:user/x is not authorized to perform: appflow:StartFlow on resource: arn:aws:appflow:eu-west-1:123456789012:flow/f"),
         .error, "access denied: needs appflow:StartFlow"),
        (failed("UnrecognizedClientException", "The security token included in the request is invalid."), .error,
         "credentials refused: UnrecognizedClientException: The security token included in the request is invalid."),
        (failed("ThrottlingException", "Rate exceeded (gave up after 8 attempts)", retryable: true), .error,
         "ThrottlingException: Rate exceeded (gave up after 8 attempts)"),
    ]

    @Test(arguments: cases.indices)
    func verdicts(index: Int) {
        let (answer, severity, verdict) = Self.cases[index]
        let row = FlowCheckReport.Row(job: "j", flow: "f", region: "eu-west-1", answer: answer)
        #expect(row.severity == severity)
        #expect(row.verdict == verdict)
    }

    @Test(arguments: [
        ("User: arn:aws:iam::1:user/u is not authorized to perform: appflow:DescribeFlow on resource: x", "appflow:DescribeFlow"),
        ("User: arn:aws:sts::1:assumed-role/r/s is not authorized to perform: kms:Decrypt with an explicit deny", "kms:Decrypt"),
        ("is not authorized to perform: appflow:StartFlow", "appflow:StartFlow"),
        ("Access denied", nil),
        ("is not authorized to perform: <script>", nil),
        ("is not authorized to perform: a:b:c on x", nil),
    ] as [(String, String?)])
    func permissionNamedByTheMessage(message: String, permission: String?) {
        #expect(FlowCheckReport.permission(named: message) == permission)
    }

    static func report() -> FlowCheckReport {
        FlowCheckReport(rows: [
            .init(job: "accounts", flow: "salesforce-accounts", region: "eu-west-1", answer: described("OnDemand", "Active")),
            .init(job: "leads", flow: "marketo-leads", region: "us-east-1", answer: described("Scheduled", "Active")),
            .init(job: "gone", flow: "old-flow", region: "eu-west-1", answer: failed("ResourceNotFoundException", "Flow old-flow does not exist.")),
        ], jobCount: 4)
    }

    @Test func theTableHasOneRowPerJobThenTheSummary() {
        let table = Self.report().table()
        let lines = table.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0].split(separator: " ", omittingEmptySubsequences: true) == ["JOB", "FLOW", "REGION", "TRIGGER", "STATUS", "VERDICT"])
        #expect(lines[1].hasPrefix("accounts  salesforce-accounts  eu-west-1  OnDemand   Active  ok: starts a run"))
        #expect(lines[2].hasSuffix("warning: Scheduled flow: StartFlow activates it, no run"))
        #expect(lines[3].hasSuffix("-          -       error: flow not found"))
        #expect(lines[4] == "")
        #expect(lines[5] == "FAILED: 4 jobs; AWS: 1 ok, 1 warning, 1 error, 1 disabled, not asked")
        #expect(Self.report().severity == .error)
    }

    @Test func withoutLegendOnlyTheRowsAndTheSummary() {
        let table = Self.report().table(layout: TableLayout(width: nil, legend: false))
        let lines = table.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("accounts"))
        #expect(lines[3].hasPrefix("FAILED: "))
    }

    @Test func warningsAloneAreOK() {
        var report = Self.report()
        report.rows.removeLast()
        report.jobCount = 2
        #expect(report.severity == .warning)
        #expect(report.summary == "OK: 2 jobs; AWS: 1 ok, 1 warning")
        #expect(FlowCheckReport(rows: [], jobCount: 1).summary == "OK: 1 job; AWS: 1 disabled, not asked")
        #expect(FlowCheckReport(rows: [], jobCount: 0).summary == "OK: 0 jobs; AWS: nothing to ask")
    }

    @Test func jsonHasEveryKeyOnEveryObject() throws {
        let json = try #require(try JSONSerialization.jsonObject(with: Data(Self.report().json().utf8)) as? [[String: Any]])
        let keys: Set<String> = [
            "job", "flow", "region", "flowArn", "triggerType", "flowStatus", "flowStatusMessage", "severity", "verdict",
            "errorCode", "message", "missingPermission",
        ]
        #expect(json.count == 3)
        for object in json { #expect(Set(object.keys) == keys) }
        #expect(json[0]["severity"] as? String == "ok" && json[0]["triggerType"] as? String == "OnDemand")
        #expect(json[1]["severity"] as? String == "warning" && json[1]["region"] as? String == "us-east-1")
        #expect(json[2]["errorCode"] as? String == "ResourceNotFoundException")
        #expect(json[2]["flowStatus"] is NSNull && json[2]["verdict"] as? String == "flow not found")
        #expect(FlowCheckReport(rows: [], jobCount: 0).json() == "[]\n")
    }

    @Test func endpointTextCannotDriveTheTerminal() {
        let report = FlowCheckReport(rows: [
            .init(job: "j", flow: "f", region: "eu-west-1", answer: .described(.init(triggerType: "OnDemand\u{1B}[2J", flowStatus: "Active"))),
        ], jobCount: 1)
        #expect(!report.table().contains("\u{1B}"))
    }
}
