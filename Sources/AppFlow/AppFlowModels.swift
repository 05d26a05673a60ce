import Foundation
import Scheduling

/// StartFlow's answer. A scheduled or event-triggered flow is activated and has no executionId.
package struct StartFlowResult: Sendable, Equatable, Codable {
    package var flowArn: String?
    package var flowStatus: String?
    package var executionId: String?

    package init(flowArn: String? = nil, flowStatus: String? = nil, executionId: String? = nil) {
        self.flowArn = flowArn
        self.flowStatus = flowStatus
        self.executionId = executionId
    }
}

/// The parts of DescribeFlow's answer that appflowd uses.
package struct FlowDescription: Sendable, Equatable {
    package var flowArn: String?
    package var flowName: String?
    /// `Active`, `Deprecated`, `Deleted`, `Draft`, `Errored` or `Suspended`.
    package var flowStatus: String?
    /// Why a scheduled or event flow is `Suspended` or `Errored`, when AppFlow says.
    package var flowStatusMessage: String?
    package var description: String?
    /// `OnDemand`, `Scheduled` or `Event`.
    package var triggerType: String?
    package var lastRunStatus: String?
    package var createdAt: Date?
    package var lastUpdatedAt: Date?

    package init(flowArn: String? = nil, flowName: String? = nil, flowStatus: String? = nil, flowStatusMessage: String? = nil,
                 description: String? = nil, triggerType: String? = nil, lastRunStatus: String? = nil,
                 createdAt: Date? = nil, lastUpdatedAt: Date? = nil) {
        self.flowArn = flowArn
        self.flowName = flowName
        self.flowStatus = flowStatus
        self.flowStatusMessage = flowStatusMessage
        self.description = description
        self.triggerType = triggerType
        self.lastRunStatus = lastRunStatus
        self.createdAt = createdAt
        self.lastUpdatedAt = lastUpdatedAt
    }
}

/// One run of a flow, from DescribeFlowExecutionRecords.
package struct FlowExecution: Sendable, Equatable {
    package var executionId: String
    /// `InProgress`, `Successful`, `Error`, `CancelStarted` or `Canceled`.
    package var executionStatus: String?
    package var recordsProcessed: Int64?
    package var bytesProcessed: Int64?
    package var bytesWritten: Int64?
    package var errorMessage: String?
    package var putFailuresCount: Int64?
    package var startedAt: Date?
    package var lastUpdatedAt: Date?

    package init(executionId: String, executionStatus: String? = nil) {
        self.executionId = executionId
        self.executionStatus = executionStatus
    }

    /// True once the run can no longer change.
    package var isFinished: Bool {
        ["Successful", "Error", "Canceled"].contains(executionStatus ?? "")
    }
}

/// One page of DescribeFlowExecutionRecords.
package struct FlowExecutionPage: Sendable, Equatable {
    package var executions: [FlowExecution]
    package var nextToken: String?
}

// MARK: Wire shapes (rest-json; timestamps are epoch seconds)

struct DescribeFlowWire: Decodable {
    struct Trigger: Decodable { var triggerType: String? }
    struct LastRun: Decodable { var mostRecentExecutionStatus: String? }
    var flowArn: String?
    var flowName: String?
    var flowStatus: String?
    var flowStatusMessage: String?
    var description: String?
    var triggerConfig: Trigger?
    var lastRunExecutionDetails: LastRun?
    var createdAt: Double?
    var lastUpdatedAt: Double?

    var model: FlowDescription {
        FlowDescription(
            flowArn: flowArn,
            flowName: flowName,
            flowStatus: flowStatus,
            flowStatusMessage: flowStatusMessage.map(AppFlowFailure.boundedMessage),
            description: description,
            triggerType: triggerConfig?.triggerType,
            lastRunStatus: lastRunExecutionDetails?.mostRecentExecutionStatus,
            createdAt: createdAt.map(Date.init(timeIntervalSince1970:)),
            lastUpdatedAt: lastUpdatedAt.map(Date.init(timeIntervalSince1970:))
        )
    }
}

struct ExecutionRecordsWire: Decodable {
    struct Execution: Decodable {
        struct Result: Decodable {
            struct ErrorInfo: Decodable {
                var putFailuresCount: Int64?
                var executionMessage: String?
            }
            var errorInfo: ErrorInfo?
            var bytesProcessed: Int64?
            var bytesWritten: Int64?
            var recordsProcessed: Int64?
        }
        var executionId: String?
        var executionStatus: String?
        var executionResult: Result?
        var startedAt: Double?
        var lastUpdatedAt: Double?
    }
    var flowExecutions: [Execution]?
    var nextToken: String?

    var model: FlowExecutionPage {
        let executions = (flowExecutions ?? []).compactMap { wire -> FlowExecution? in
            guard let id = wire.executionId else { return nil }
            var execution = FlowExecution(executionId: id, executionStatus: wire.executionStatus)
            execution.recordsProcessed = wire.executionResult?.recordsProcessed
            execution.bytesProcessed = wire.executionResult?.bytesProcessed
            execution.bytesWritten = wire.executionResult?.bytesWritten
            execution.errorMessage = wire.executionResult?.errorInfo?.executionMessage
            execution.putFailuresCount = wire.executionResult?.errorInfo?.putFailuresCount
            execution.startedAt = wire.startedAt.map(Date.init(timeIntervalSince1970:))
            execution.lastUpdatedAt = wire.lastUpdatedAt.map(Date.init(timeIntervalSince1970:))
            return execution
        }
        return FlowExecutionPage(executions: executions, nextToken: nextToken.flatMap { $0.isEmpty ? nil : $0 })
    }
}

/// Builds small JSON request bodies with the project's one JSON writer: keys are ours, values
/// are escaped, absent members are left out (as AWS SDKs do).
enum JSONBody {
    static func object(_ pairs: [(String, JSONValue)]) -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        for (key, value) in pairs {
            switch value {
            case .string(let text):
                json.key(key)
                json.string(text)
            case .int(let number):
                json.key(key)
                json.int(number)
            case .absent:
                continue
            }
        }
        json.endObject()
        return json.bytes
    }

    enum JSONValue {
        case string(String)
        case int(Int)
        case absent
    }
}
