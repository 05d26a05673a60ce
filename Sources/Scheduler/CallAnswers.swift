/// What the scheduler needs to know of a failed call, whatever the client: the executor turns the
/// client's errors into this, so the scheduler stays free of HTTP types.
package struct CallFailure: Error, Sendable, Equatable, CustomStringConvertible {
    package var code: String
    package var message: String
    /// Worth another attempt with the same token (throttling, 5xx, connection trouble...).
    package var retryable: Bool
    /// The least wait the endpoint asked for (`Retry-After`).
    package var retryAfter: Duration?
    /// The endpoint accepted the call (HTTP 2xx) but its answer could not be read: the run may
    /// have started, so giving up means the outcome is unknown, not that the start failed.
    package var accepted: Bool

    package init(code: String, message: String, retryable: Bool, retryAfter: Duration? = nil, accepted: Bool = false) {
        self.code = code
        self.message = message
        self.retryable = retryable
        self.retryAfter = retryAfter
        self.accepted = accepted
    }

    package var description: String { message.isEmpty ? code : "\(code): \(message)" }
}

/// StartFlow's answer: an execution id for an on-demand flow, none for a scheduled or
/// event-triggered flow, which StartFlow only activates.
package struct StartAnswer: Sendable, Equatable {
    package var executionId: String?
    package var flowStatus: String?

    package init(executionId: String?, flowStatus: String?) {
        self.executionId = executionId
        self.flowStatus = flowStatus
    }
}

/// One execution as DescribeFlowExecutionRecords lists it.
package struct ExecutionAnswer: Sendable, Equatable {
    package var status: String
    package var errorMessage: String?
    package var recordsProcessed: Int64?
    package var bytesProcessed: Int64?
    package var bytesWritten: Int64?

    package init(status: String, errorMessage: String? = nil, recordsProcessed: Int64? = nil, bytesProcessed: Int64? = nil, bytesWritten: Int64? = nil) {
        self.status = status
        self.errorMessage = errorMessage
        self.recordsProcessed = recordsProcessed
        self.bytesProcessed = bytesProcessed
        self.bytesWritten = bytesWritten
    }
}
