import Primitives
import Scheduler

/// What `appflowd check --aws` prints: for each enabled job, what DescribeFlow said of its flow
/// and what a StartFlow from appflowd would do, as a table like `next`'s or as JSON.
///
/// The verdict follows AppFlow's StartFlow: an on-demand flow that is `Active` starts a run; a
/// scheduled or event flow is only activated (`Draft` and `Suspended` ones too: that is what
/// activating means), with no run, which is a warning; a `Deleted`, `Deprecated` or `Errored`
/// flow, or an on-demand flow in any status but `Active`, is an error, like a flow not found,
/// access denied or any other failed call.
package struct FlowCheckReport: Sendable {
    package enum Severity: String, Sendable, Comparable {
        case ok, warning, error

        var rank: Int {
            switch self {
            case .ok: 0
            case .warning: 1
            case .error: 2
            }
        }

        package static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
    }

    /// What DescribeFlow said of a flow.
    package struct Flow: Sendable, Equatable {
        package var flowArn: String?
        package var triggerType: String?
        package var flowStatus: String?
        package var flowStatusMessage: String?

        package init(flowArn: String? = nil, triggerType: String?, flowStatus: String?, flowStatusMessage: String? = nil) {
            self.flowArn = flowArn
            self.triggerType = triggerType
            self.flowStatus = flowStatus
            self.flowStatusMessage = flowStatusMessage
        }
    }

    /// DescribeFlow's answer for one job: the flow, or the failure after any retries.
    package enum Answer: Sendable, Equatable {
        case described(Flow)
        case failed(CallFailure)
    }

    package struct Row: Sendable, Equatable {
        package var job: String
        package var flow: String
        package var region: String
        package var answer: Answer
        package var severity: Severity
        /// Without the severity: `starts a run`, `flow not found`, ...
        package var verdict: String
        /// For access denied: the permission the answer names, else `appflow:DescribeFlow`.
        package var missingPermission: String?

        package init(job: String, flow: String, region: String, answer: Answer) {
            self.job = job
            self.flow = flow
            self.region = region
            self.answer = answer
            (severity, verdict, missingPermission) = FlowCheckReport.judge(answer)
        }

        package var described: Flow? {
            if case .described(let flow) = answer { return flow }
            return nil
        }

        package var failure: CallFailure? {
            if case .failed(let failure) = answer { return failure }
            return nil
        }
    }

    package var rows: [Row]
    /// Every job in the file, disabled ones included (the plain check's `OK: N jobs`).
    package var jobCount: Int

    package init(rows: [Row], jobCount: Int) {
        self.rows = rows
        self.jobCount = jobCount
    }

    /// The worst severity; `ok` for no rows.
    package var severity: Severity { rows.map(\.severity).max() ?? .ok }

    // MARK: - Verdicts

    static let startable: Set<String> = ["Active"]
    /// A scheduled or event flow in these is activated by StartFlow.
    static let activatable: Set<String> = ["Active", "Draft", "Suspended"]
    static let knownStatuses: Set<String> = ["Active", "Deprecated", "Deleted", "Draft", "Errored", "Suspended"]
    static let credentialCodes: Set<String> = [
        "UnrecognizedClientException", "InvalidSignatureException", "MissingAuthenticationTokenException",
        "IncompleteSignatureException", "ExpiredTokenException", "InvalidClientTokenId", "SignatureDoesNotMatch",
    ]

    static func judge(_ answer: Answer) -> (Severity, String, String?) {
        switch answer {
        case .failed(let failure):
            return judge(failure)
        case .described(let flow):
            let status = flow.flowStatus ?? "-"
            guard knownStatuses.contains(status) else {
                return (.warning, "flow status \(status) unknown to appflowd: StartFlow may fail", nil)
            }
            if ["Deleted", "Deprecated", "Errored"].contains(status) {
                return (.error, "\(status): StartFlow fails", nil)
            }
            switch flow.triggerType {
            case "OnDemand":
                return startable.contains(status) ? (.ok, "starts a run", nil) : (.error, "\(status): StartFlow fails", nil)
            case let trigger? where trigger == "Scheduled" || trigger == "Event":
                let state = status == "Active" ? "" : ", \(status)"
                return (.warning, "\(trigger) flow\(state): StartFlow activates it, no run", nil)
            case let trigger:
                return (.warning, "trigger type \(trigger ?? "-") unknown to appflowd: StartFlow may not start a run", nil)
            }
        }
    }

    static func judge(_ failure: CallFailure) -> (Severity, String, String?) {
        if failure.code == "ResourceNotFoundException" { return (.error, "flow not found", nil) }
        if failure.code.hasPrefix("AccessDenied") || failure.code == "UnauthorizedOperation" {
            let permission = permission(named: failure.message) ?? "appflow:DescribeFlow"
            return (.error, "access denied: needs \(permission)", permission)
        }
        if credentialCodes.contains(failure.code) { return (.error, "credentials refused: \(failure)", nil) }
        return (.error, "\(failure)", nil)
    }

    /// The action of IAM's "User: arn:... is not authorized to perform: appflow:DescribeFlow on
    /// resource: ..." (nil when the message names none that looks like `service:Action`).
    package static func permission(named message: String) -> String? {
        guard let range = message.range(of: "not authorized to perform: ") else { return nil }
        let action = message[range.upperBound...].prefix { !$0.isWhitespace && $0 != "," && $0 != ";" }
        let parts = action.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "*" } }),
              action.count <= 128 else { return nil }
        return String(action)
    }

    // MARK: - Table

    static let columns = [
        TableColumn("JOB", shortenTo: 8), TableColumn("FLOW", shortenTo: 8), TableColumn("REGION"), TableColumn("TRIGGER"),
        TableColumn("STATUS"), TableColumn("VERDICT", shortenTo: 24, first: true),
    ]

    /// Columns JOB, FLOW, REGION, TRIGGER, STATUS, VERDICT (`ok: starts a run`, `warning: ...`,
    /// `error: ...`), in job-file order; a flow's status message follows its verdict in
    /// parentheses. Then the summary line (`summary`), whatever the legend.
    package func table(layout: TableLayout = .full) -> String {
        let cells = rows.map { row in
            var verdict = "\(row.severity.rawValue): \(row.verdict)"
            if let message = row.described?.flowStatusMessage, !message.isEmpty { verdict += " (\(message))" }
            return [row.job, row.flow, row.region, row.described?.triggerType ?? "-", row.described?.flowStatus ?? "-", verdict]
        }
        var out = rows.isEmpty ? "" : ReportFormat.table(Self.columns, cells, layout: layout)
        if layout.legend, !rows.isEmpty { out += "\n" }
        return out + summary + "\n"
    }

    /// `OK: 3 jobs; AWS: 2 ok, 1 warning` when nothing is an error (exit 0), else
    /// `FAILED: 3 jobs; AWS: 1 ok, 1 warning, 1 error` (exit 1); disabled jobs are counted as
    /// `N disabled, not asked`.
    package var summary: String {
        var parts: [String] = []
        for severity in [Severity.ok, .warning, .error] {
            let n = rows.filter { $0.severity == severity }.count
            guard n > 0 else { continue }
            parts.append(severity == .ok ? "\(n) ok" : "\(n) \(severity.rawValue)\(n == 1 ? "" : "s")")
        }
        let disabled = jobCount - rows.count
        if disabled > 0 { parts.append("\(disabled) disabled, not asked") }
        let head = severity == .error ? "FAILED" : "OK"
        let jobs = "\(jobCount) job\(jobCount == 1 ? "" : "s")"
        return "\(head): \(jobs); AWS: " + (parts.isEmpty ? "nothing to ask" : parts.joined(separator: ", "))
    }

    // MARK: - JSON

    /// An array, one object per enabled job in job-file order, every key always present:
    ///
    ///     {"job", "flow", "region", "flowArn", "triggerType", "flowStatus", "flowStatusMessage",
    ///      "severity": "ok" | "warning" | "error", "verdict", "errorCode", "message", "missingPermission"}
    ///
    /// What DescribeFlow did not say (or a failed call cannot say) is null; `errorCode` and
    /// `message` are the failed call's.
    package func json() -> String {
        var items: [String] = []
        for row in rows {
            let fields: [(String, String?)] = [
                ("job", row.job), ("flow", row.flow), ("region", row.region), ("flowArn", row.described?.flowArn),
                ("triggerType", row.described?.triggerType), ("flowStatus", row.described?.flowStatus),
                ("flowStatusMessage", row.described?.flowStatusMessage), ("severity", row.severity.rawValue),
                ("verdict", row.verdict), ("errorCode", row.failure?.code), ("message", row.failure?.message),
                ("missingPermission", row.missingPermission),
            ]
            var json = JSONWriter()
            json.beginObject()
            for (key, value) in fields {
                json.key(key)
                if let value { json.string(value) } else { json.null() }
            }
            json.endObject()
            items.append("  " + String(decoding: json.bytes, as: UTF8.self))
        }
        return items.isEmpty ? "[]\n" : "[\n" + items.joined(separator: ",\n") + "\n]\n"
    }
}
