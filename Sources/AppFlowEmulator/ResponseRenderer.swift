import Foundation
import Primitives

/// Builds the JSON bodies of DescribeFlow, DescribeFlowExecutionRecords and ListFlows in the
/// shapes of AppFlow's service model. Timestamps are epoch seconds, as rest-json sends them.
enum ResponseRenderer {
    static func describeFlow(_ state: FlowState, arn: String, now: Date) -> [UInt8] {
        var output = JSONWriter(capacity: 1024)
        output.beginObject()
        output.member("flowArn", arn)
        output.member("description", "Emulated \(state.flow.trigger.rawValue) flow")
        output.member("flowName", state.flow.name)
        output.member("flowStatus", state.flowStatus)
        if !state.activated, let declared = state.flow.status, declared == .errored || declared == .suspended {
            output.member("flowStatusMessage", "Emulated: the flow was declared \(declared.rawValue)")
        }
        output.key("sourceFlowConfig")
        output.beginObject()
        output.member("connectorType", "S3")
        output.key("sourceConnectorProperties")
        output.beginObject()
        output.key("S3")
        output.beginObject()
        output.member("bucketName", "appflowd-emulator-source")
        output.member("bucketPrefix", state.flow.name)
        output.endObject()
        output.endObject()
        output.endObject()
        output.key("destinationFlowConfigList")
        output.beginArray()
        output.beginObject()
        output.member("connectorType", "S3")
        output.key("destinationConnectorProperties")
        output.beginObject()
        output.key("S3")
        output.beginObject()
        output.member("bucketName", "appflowd-emulator-destination")
        output.member("bucketPrefix", state.flow.name)
        output.endObject()
        output.endObject()
        output.endObject()
        output.endArray()
        writeLastRun(state, now: now, to: &output)
        output.key("triggerConfig")
        output.beginObject()
        output.member("triggerType", state.flow.trigger.rawValue)
        if state.flow.trigger == .scheduled {
            output.key("triggerProperties")
            output.beginObject()
            output.key("Scheduled")
            output.beginObject()
            output.member("scheduleExpression", "rate(1hours)")
            output.member("dataPullMode", "Incremental")
            output.endObject()
            output.endObject()
        }
        output.endObject()
        output.key("tasks")
        output.beginArray()
        output.beginObject()
        output.key("sourceFields")
        output.beginArray()
        output.endArray()
        output.key("connectorOperator")
        output.beginObject()
        output.member("S3", "NO_OP")
        output.endObject()
        output.member("taskType", "Map_all")
        output.key("taskProperties")
        output.beginObject()
        output.endObject()
        output.endObject()
        output.endArray()
        writeTimes(state, to: &output)
        output.key("tags")
        output.beginObject()
        output.endObject()
        output.key("schemaVersion")
        output.int(1)
        output.endObject()
        return output.bytes
    }

    static func executionRecords(_ executions: [FlowExecution], nextToken: String?, now: Date) -> [UInt8] {
        var output = JSONWriter(capacity: 256 + executions.count * 400)
        output.beginObject()
        output.key("flowExecutions")
        output.beginArray()
        for execution in executions {
            writeExecution(execution, now: now, to: &output)
        }
        output.endArray()
        output.member("nextToken", nextToken)
        output.endObject()
        return output.bytes
    }

    static func listFlows(
        _ flows: [FlowState], nextToken: String?, arn: (String) -> String, now: Date
    ) -> [UInt8] {
        var output = JSONWriter(capacity: 256 + flows.count * 500)
        output.beginObject()
        output.key("flows")
        output.beginArray()
        for state in flows {
            output.beginObject()
            output.member("flowArn", arn(state.flow.name))
            output.member("description", "Emulated \(state.flow.trigger.rawValue) flow")
            output.member("flowName", state.flow.name)
            output.member("flowStatus", state.flowStatus)
            output.member("sourceConnectorType", "S3")
            output.member("destinationConnectorType", "S3")
            output.member("triggerType", state.flow.trigger.rawValue)
            writeTimes(state, to: &output)
            output.key("tags")
            output.beginObject()
            output.endObject()
            writeLastRun(state, now: now, to: &output)
            output.endObject()
        }
        output.endArray()
        output.member("nextToken", nextToken)
        output.endObject()
        return output.bytes
    }

    private static func writeExecution(_ execution: FlowExecution, now: Date, to output: inout JSONWriter) {
        let status = execution.status(at: now)
        output.beginObject()
        output.member("executionId", execution.executionId)
        output.member("executionStatus", status.rawValue)
        output.key("executionResult")
        output.beginObject()
        if status == .error {
            output.key("errorInfo")
            output.beginObject()
            output.key("putFailuresCount")
            output.int(execution.putFailuresCount)
            output.member("executionMessage", execution.errorMessage)
            output.endObject()
        }
        let done = status != .inProgress
        output.key("bytesProcessed")
        output.int(done ? execution.bytesProcessed : 0)
        output.key("bytesWritten")
        output.int(done ? execution.bytesWritten : 0)
        output.key("recordsProcessed")
        output.int(done ? execution.recordsProcessed : 0)
        output.key("numParallelProcesses")
        output.int(1)
        output.key("maxPageSize")
        output.int(1000)
        output.endObject()
        timestamp("startedAt", execution.startedAt, to: &output)
        timestamp("lastUpdatedAt", execution.lastUpdatedAt(at: now), to: &output)
        timestamp("dataPullStartTime", execution.startedAt, to: &output)
        if done {
            timestamp("dataPullEndTime", execution.endsAt, to: &output)
        }
        output.endObject()
    }

    private static func writeLastRun(_ state: FlowState, now: Date, to output: inout JSONWriter) {
        guard let last = state.executions.last else { return }
        output.key("lastRunExecutionDetails")
        output.beginObject()
        output.member("mostRecentExecutionMessage", last.statusMessage(at: now))
        timestamp("mostRecentExecutionTime", last.startedAt, to: &output)
        output.member("mostRecentExecutionStatus", last.status(at: now).rawValue)
        output.endObject()
    }

    private static func writeTimes(_ state: FlowState, to output: inout JSONWriter) {
        timestamp("createdAt", state.createdAt, to: &output)
        timestamp("lastUpdatedAt", state.lastUpdatedAt, to: &output)
        output.member("createdBy", "appflow-emulator")
        output.member("lastUpdatedBy", "appflow-emulator")
    }

    private static func timestamp(_ name: String, _ date: Date, to output: inout JSONWriter) {
        output.key(name)
        output.fixed(date.timeIntervalSince1970, decimals: 3)
    }
}
