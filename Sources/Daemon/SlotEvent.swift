import Foundation
import JobFile
import Logging

/// The log events of SPEC section 5, with the journal fields operators filter on.
package enum SlotEvent: String, Sendable {
    case scheduled, starting, started, activated, retrying, failed, skipped, succeeded, errored
    case outcomeUnknown = "outcome-unknown"

    var level: Logger.Level {
        switch self {
        case .scheduled, .starting: .info
        case .started, .activated, .succeeded, .skipped: .notice
        case .retrying: .warning
        case .failed, .errored, .outcomeUnknown: .error
        }
    }

    var message: Logger.Message {
        switch self {
        case .scheduled: "slot scheduled"
        case .starting: "starting flow"
        case .started: "flow run started"
        case .activated: "flow activated"
        case .retrying: "start failed, retrying"
        case .failed: "start failed"
        case .skipped: "slot skipped"
        case .succeeded: "flow run succeeded"
        case .errored: "flow run ended in error"
        case .outcomeUnknown: "slot outcome unknown"
        }
    }
}

extension Logger {
    /// Logs one slot event. Keys become journal fields (JOB_NAME, FLOW_NAME, SLOT, ...).
    func slot(_ event: SlotEvent, _ due: DueSlot, _ extra: Logger.Metadata = [:]) {
        var metadata: Logger.Metadata = [
            "event": "\(event.rawValue)",
            "job_name": "\(due.jobName)",
            "flow_name": "\(due.flow)",
            "slot": "\(RFC3339UTC.format(seconds: due.slot))",
            "client_token": "\(due.token)",
        ]
        metadata.merge(extra) { _, new in new }
        log(level: event.level, event.message, metadata: metadata)
    }
}

/// `2026-11-26T01:00:00Z` from Unix seconds, without a formatter (cheap on the hot path).
package enum RFC3339UTC {
    package static func format(seconds: Int64) -> String {
        ReportFormat.utcText(millis: seconds * 1000, json: true)
    }
}
