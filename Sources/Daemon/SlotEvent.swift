import Foundation
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
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))Z"
    }
}
