import JobFile
import Scheduling

/// Counts for `STATUS=` and the operator: what started, what is retrying, what failed.
package struct SchedulerStatus: Sendable, Equatable {
    package var jobs = 0
    package var enabledJobs = 0
    package var started = 0
    package var activated = 0
    package var retrying = 0
    package var failed = 0
    package var skipped = 0
    package var outcomeUnknown = 0
    package var running = 0
    package var next: (job: String, fireMs: Int64)?
    package var reloadProblem: String?
    /// Set while the ledger cannot be written: due slots wait for it.
    package var ledgerProblem: String?
    package var stopping = false
    /// What the daemon runs with, set by the executor at start and at each reload
    /// (`Configuration.setupNote`, `SchedulerEvent.setupChecked`): the credential source, or
    /// that there is none and every start will fail.
    package var setupNote: String?

    package init() {}

    package static func == (lhs: SchedulerStatus, rhs: SchedulerStatus) -> Bool {
        lhs.text == rhs.text
    }

    /// One line for `systemctl status`.
    package var text: String {
        var parts: [String] = []
        if stopping { parts.append("stopping") }
        parts.append("\(enabledJobs) job\(enabledJobs == 1 ? "" : "s")" + (jobs != enabledJobs ? " (\(jobs - enabledJobs) disabled)" : ""))
        if let next {
            parts.append("next: \(next.job) at \(TimeText.utc(millis: next.fireMs))")
        } else {
            parts.append("nothing scheduled")
        }
        var counts = "started \(started), retrying \(retrying), failed \(failed)"
        if activated > 0 { counts += ", activated \(activated)" }
        if running > 0 { counts += ", running \(running)" }
        if skipped > 0 { counts += ", skipped \(skipped)" }
        if outcomeUnknown > 0 { counts += ", outcome unknown \(outcomeUnknown)" }
        parts.append(counts)
        var line = parts.joined(separator: "; ")
        if let ledgerProblem { line += " | ledger not writable, starts wait: \(ledgerProblem)" }
        if let reloadProblem { line += " | reload failed, old jobs kept: \(reloadProblem)" }
        if let setupNote { line += " | \(setupNote)" }
        return line
    }
}
