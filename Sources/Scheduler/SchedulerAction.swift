import JobFile
import Scheduling
import Ledger

/// What the scheduler asks its executor to do. Each is I/O the machine itself never performs.
package enum SchedulerAction: Sendable, Equatable {
    /// Append these records durably, then deliver `ledgerWritten` (or `ledgerFailed`). At most
    /// one write is in flight at a time, so records land in the order they were produced.
    case appendLedger(WriteID, [LedgerRecord])
    /// Call StartFlow, then deliver `startAnswered`.
    case startFlow(SlotID, StartRequest)
    /// Call DescribeFlowExecutionRecords, then deliver `pollAnswered`.
    case poll(SlotID, PollRequest)
    /// Make the client of this region ready for a slot about to fire (credentials, a connection
    /// open with TLS done); nothing is delivered back. Only with `Configuration.warmLead`.
    case warm(CallTarget)
    /// Sign these StartFlow requests now, each dated at its fire time (slots recorded ahead),
    /// so that at the fire time only the bytes are written; nothing is delivered back. Only with
    /// `Configuration.presignAhead`.
    case presign(CallTarget, [PresignRequest])
    /// Read and validate the job file (and prepare its regions' clients), then deliver
    /// `reloadLoaded` or `reloadFailed`.
    case loadJobFile
    /// Tell systemd.
    case notify(Notification)
    case log(LogEntry)
    case metric(MetricEvent)
    /// Deliver `tick` at this wall-clock time (Unix milliseconds), replacing any earlier request.
    case sleepUntil(Int64)
    /// Shutdown is complete: the executor returns.
    case finish
    /// The scheduler cannot go on (the ledger accepts no more writes): the executor stops with
    /// this error, and the service manager restarts the daemon, which resumes from the ledger.
    case fail(String)
}

package struct StartRequest: Sendable, Equatable {
    /// The job's region and role.
    package var target: CallTarget
    package var flow: String
    package var token: String
    package var attempt: Int
}

package struct PresignRequest: Sendable, Equatable {
    package var flow: String
    package var token: String
    /// The fire time, in Unix milliseconds: the request is dated at its second.
    package var fireMs: Int64
}

package struct PollRequest: Sendable, Equatable {
    package var target: CallTarget
    package var flow: String
    package var executionId: String
}

package enum Notification: Sendable, Equatable {
    case ready(status: String)
    case reloading(status: String)
    case stopping(status: String)
    case status(String)
    case watchdog
}

/// A log line: a constant message and its fields (journal fields once upper-cased).
package struct LogEntry: Sendable, Equatable {
    package enum Level: Sendable, Equatable {
        case debug, info, notice, warning, error, critical
    }

    package var level: Level
    package var message: String
    package var fields: [String: String]

    package init(_ level: Level, _ message: String, _ fields: [String: String] = [:]) {
        self.level = level
        self.message = message
        self.fields = fields
    }

    /// One slot event, with the fields operators filter on (SPEC section 5).
    package static func slot(_ event: SlotEvent, _ due: DueSlot, _ extra: [String: String] = [:]) -> LogEntry {
        var fields = [
            "event": event.rawValue,
            "job_name": due.jobName,
            "flow_name": due.flow,
            "slot": TimeText.rfc3339(seconds: due.slot),
            "client_token": due.token,
        ]
        fields.merge(extra) { _, new in new }
        return LogEntry(event.level, event.message, fields)
    }
}

/// What the metrics observe (`appflowd_*`, see the Metrics module).
package enum MetricEvent: Sendable, Equatable {
    case starts(flow: String, outcome: String, count: Int)
    case runs(flow: String, outcome: String)
    case retry(flow: String)
    case error(operation: String, code: String)
    case inFlight(Int)
    case fireLateness(milliseconds: Int64)
    case lastSuccess(job: String, atSeconds: Double)
    case next(job: String, fireMs: Int64, intervalSeconds: Int64?)
    case forget(job: String, keepLastSuccess: Bool)
    case jobs(Int)
}

/// The log events of SPEC section 5.
package enum SlotEvent: String, Sendable {
    case scheduled, starting, started, activated, retrying, failed, skipped, succeeded, errored
    case outcomeUnknown = "outcome-unknown"

    package var level: LogEntry.Level {
        switch self {
        case .scheduled, .starting: .info
        case .started, .activated, .succeeded, .skipped: .notice
        case .retrying: .warning
        case .failed, .errored, .outcomeUnknown: .error
        }
    }

    package var message: String {
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
