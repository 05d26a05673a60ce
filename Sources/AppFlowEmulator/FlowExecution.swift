import Foundation

/// AppFlow's `ExecutionStatus` values the emulator produces.
package enum ExecutionStatus: String, Sendable, Codable {
    case inProgress = "InProgress"
    case successful = "Successful"
    case error = "Error"
}

/// One run of an on-demand flow. Its status is computed from the clock, so nothing has to
/// wake up when a run ends.
package struct FlowExecution: Sendable, Equatable {
    package var executionId: String
    package var startedAt: Date
    package var endsAt: Date
    package var failing: Bool
    package var recordsProcessed: Int64
    package var bytesProcessed: Int64
    package var bytesWritten: Int64
    package var putFailuresCount: Int64

    package func status(at now: Date) -> ExecutionStatus {
        if now < endsAt { return .inProgress }
        return failing ? .error : .successful
    }

    package func lastUpdatedAt(at now: Date) -> Date {
        now < endsAt ? startedAt : endsAt
    }

    /// The `errorInfo.executionMessage` of a failed run; its characters stay within the
    /// model's pattern `[\s\w/!@#+=.-]*`.
    package var errorMessage: String {
        "Emulated failure - the destination rejected \(putFailuresCount) records"
    }

    /// The message `DescribeFlow` shows as `lastRunExecutionDetails.mostRecentExecutionMessage`.
    package func statusMessage(at now: Date) -> String {
        switch status(at: now) {
        case .inProgress: return "Flow is running"
        case .successful: return "Successfully ran the flow"
        case .error: return errorMessage
        }
    }
}
