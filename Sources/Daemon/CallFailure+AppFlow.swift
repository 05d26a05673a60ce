import AppFlow
import Scheduler

extension CallFailure {
    /// The scheduler's view of an AppFlow client error (`AppFlowFailure` reads it).
    package init(_ error: any Error) {
        let failure = AppFlowFailure(error)
        self.init(code: failure.code, message: failure.message, retryable: failure.retryable,
                  retryAfter: failure.retryAfter.map { .milliseconds(Int64(($0 * 1000).rounded(.up))) },
                  accepted: failure.accepted)
    }
}

extension StartAnswer {
    package init(_ result: StartFlowResult) {
        self.init(executionId: result.executionId, flowStatus: result.flowStatus)
    }
}

extension ExecutionAnswer {
    /// The run's error message comes from the endpoint too: bounded like a call's.
    package init(_ execution: FlowExecution) {
        self.init(status: execution.executionStatus ?? "", errorMessage: execution.errorMessage.map(AppFlowFailure.boundedMessage),
                  recordsProcessed: execution.recordsProcessed, bytesProcessed: execution.bytesProcessed,
                  bytesWritten: execution.bytesWritten)
    }
}
