import JobFile

/// One scheduled start of one job, ready to be started: its nominal slot (Unix seconds), the
/// client token, and when it fires (slot plus jitter, Unix milliseconds).
package struct DueSlot: Sendable, Equatable, Comparable, CustomStringConvertible {
    package var jobName: String
    package var flow: String
    /// The job's position in the job file: ties between equal fire times go in file order.
    package var jobOrder: Int
    package var slot: Int64
    package var token: String
    package var fireMs: Int64

    package init(job: Job, jobOrder: Int, slot: Int64) {
        jobName = job.name
        flow = job.flow
        self.jobOrder = jobOrder
        self.slot = slot
        token = job.clientToken(slot: slot)
        fireMs = job.fireTime(slot: slot)
    }

    package static func < (lhs: DueSlot, rhs: DueSlot) -> Bool {
        (lhs.fireMs, lhs.slot, lhs.jobOrder) < (rhs.fireMs, rhs.slot, rhs.jobOrder)
    }

    package var description: String { "\(jobName)@\(slot)" }
}
