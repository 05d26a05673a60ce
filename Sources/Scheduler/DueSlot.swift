import JobFile
import Scheduling

/// One scheduled start of one job: its nominal slot (Unix seconds), the client token, and when it
/// fires (slot plus jitter, Unix milliseconds).
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
        fireMs = job.fireTime(slot: slot, token: token)
    }

    /// A slot recorded in the ledger before a restart: its token and flow are the ones that were
    /// sent, whatever the job file says now.
    package init(jobName: String, flow: String, jobOrder: Int, slot: Int64, token: String, fireMs: Int64) {
        self.jobName = jobName
        self.flow = flow
        self.jobOrder = jobOrder
        self.slot = slot
        self.token = token
        self.fireMs = fireMs
    }

    package var id: SlotID { SlotID(job: jobName, slot: slot) }

    package static func < (lhs: DueSlot, rhs: DueSlot) -> Bool {
        (lhs.fireMs, lhs.slot, lhs.jobOrder) < (rhs.fireMs, rhs.slot, rhs.jobOrder)
    }

    package var description: String { "\(jobName)@\(slot)" }
}

/// A slot's identity: the job's name and the nominal slot.
package struct SlotID: Hashable, Sendable, CustomStringConvertible {
    package var job: String
    package var slot: Int64

    package init(job: String, slot: Int64) {
        self.job = job
        self.slot = slot
    }

    package var description: String { "\(job)@\(slot)" }
}
