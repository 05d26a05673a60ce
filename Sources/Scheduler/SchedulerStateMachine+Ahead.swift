import JobFile
import Ledger
import Scheduling

/// Records written ahead (docs/ledger.md, "Written ahead"): a slot's first `sent` record is
/// made durable before its fire time, so that at the fire time the StartFlow leaves with no
/// ledger write between the timer and the request.
///
/// When the earliest slot not yet announced comes within `recordAhead` of its fire time, the
/// planner announces every slot firing within twice that (one write for the lot), and each gets
/// a `sent` record with its `fireAt`. The slot stays planned: at its fire time the planner
/// returns it as due, catch-up and overlap decide as for any slot, and a durable record lets it
/// go straight to admission. A slot recorded ahead but then not sent on purpose (the daemon
/// stops before its fire time, a reload changes or removes its job, catch-up passes it over) is
/// withdrawn: the slot is plannable again, as if it had never been recorded.
extension SchedulerStateMachine {
    /// A slot whose `sent` record was written (or is being written) ahead of its fire time.
    struct Ahead: Equatable {
        var due: DueSlot
        /// The record's `at`: the token's first send time, earlier than the real send.
        var atMs: Int64
        /// Whether the record is durable.
        var durable: Bool

        /// Whether the record is the one this slot would be sent with: same slot, token, flow
        /// and fire time (the job's place in the file may differ).
        func records(_ other: DueSlot) -> Bool {
            (due.jobName, due.slot, due.token, due.flow, due.fireMs) == (other.jobName, other.slot, other.token, other.flow, other.fireMs)
        }
    }

    /// Announces the slots that come within the lead, and queues their records. With
    /// `previous` (the records written ahead under an earlier planner: at start, those the
    /// ledger holds whose fire time is still to come; at a reload, the ones not due yet),
    /// a slot the new planner fires at the same time with the same token and flow keeps its
    /// record, and every other one is withdrawn.
    mutating func recordAhead(nowMs: Int64, previous: [SlotID: Ahead] = [:], reason: String = "") {
        let lead = configuration.recordAhead.milliseconds
        guard lead > 0, !stopping else {
            withdraw(previous.values, nowMs: nowMs, reason: reason)
            return
        }
        var horizon = nowMs + 2 * lead
        if previous.isEmpty {
            guard let next = planner.nextUnannouncedFireMs, next <= nowMs + lead else { return }
        } else if let latest = previous.values.map(\.due.fireMs).max() {
            horizon = max(horizon, latest)
        }
        var fresh: [DueSlot] = []
        var announced: [DueSlot] = []
        for due in planner.popAhead(horizonMs: horizon, nowMs: nowMs) {
            guard let (job, _) = jobs[due.jobName], slots[due.id] == nil, ahead[due.id] == nil else { continue }
            // The previous run may end before the fire time; if not, the slot is skipped then.
            // Either way it is decided at the fire time, and recorded then if it is sent.
            if job.wait, job.overlap == .skip, isActive(job: job.name) { continue }
            if var old = previous[due.id], old.records(due) {
                old.due = due
                ahead[due.id] = old
            } else {
                fresh.append(due)
            }
            announced.append(due)
        }
        let replaced = previous.values.filter { old in !(ahead[old.due.id]?.records(old.due) ?? false) }
        withdraw(replaced, nowMs: nowMs, reason: reason)
        let at = Double(nowMs) / 1000
        for due in fresh {
            ahead[due.id] = Ahead(due: due, atMs: nowMs, durable: false)
            enqueueRecord(.sentAhead(job: due.jobName, flow: due.flow, slot: due.slot, token: due.token, at: at,
                                     fireAt: Double(due.fireMs) / 1000), releases: due.id)
        }
        presign(announced)
    }

    /// The StartFlows of these slots signed ahead, one action per region and role, in slot order.
    mutating func presign(_ slots: [DueSlot]) {
        guard configuration.presignAhead, !slots.isEmpty else { return }
        var order: [CallTarget] = []
        var requests: [CallTarget: [PresignRequest]] = [:]
        for due in slots {
            guard let (job, _) = jobs[due.jobName] else { continue }
            if requests[job.target] == nil { order.append(job.target) }
            requests[job.target, default: []].append(PresignRequest(flow: due.flow, token: due.token, fireMs: due.fireMs))
        }
        for target in order { emit(.presign(target, requests[target] ?? [])) }
    }

    /// Queues a withdrawal for each of these records written ahead. A withdrawn record still in
    /// the ledger queue releases nothing when it is written: the slot may be recorded again.
    mutating func withdraw(_ entries: some Collection<Ahead>, nowMs: Int64, reason: String) {
        guard !entries.isEmpty else { return }
        let ids = Set(entries.map(\.due.id))
        for index in ledgerQueue.indices {
            if let id = ledgerQueue[index].releases, ids.contains(id), ledgerQueue[index].record.fireAt != nil {
                ledgerQueue[index].releases = nil
            }
        }
        let at = Double(nowMs) / 1000
        for entry in entries.sorted(by: { $0.due < $1.due }) {
            let due = entry.due
            if let current = ahead[due.id], current.records(due) { ahead[due.id] = nil }
            enqueueRecord(.withdrawn(job: due.jobName, flow: due.flow, slot: due.slot, token: due.token, at: at, message: reason))
        }
        emit(.log(LogEntry(.debug, "records written ahead withdrawn", ["event": "withdrawn", "slots": "\(ids.count)", "reason": reason])))
    }

    /// After `popDue`: records written ahead for slots that catch-up passed over. The newest
    /// skipped slot of a job has its own `skipped` record; the older ones are withdrawn (the
    /// watermark is past them, so they are never planned again).
    mutating func settleAheadPassedOver(_ batch: SchedulePlanner.Batch, nowMs: Int64) {
        let due = Set(batch.due.map(\.id))
        let passed = ahead.values.filter { $0.due.fireMs <= nowMs && !due.contains($0.due.id) }
        guard !passed.isEmpty else { return }
        let named = Set(batch.skipped.map(\.newest.id))
        for entry in passed where named.contains(entry.due.id) { ahead[entry.due.id] = nil }
        withdraw(passed.filter { !named.contains($0.due.id) }, nowMs: nowMs,
                 reason: "missed: only the newest due slot is current (catch_up)")
    }

    /// The records written ahead, as a restart finds them in the ledger: an unresolved slot with
    /// a `fireAt` still to come was never sent. Those of jobs no longer enabled are withdrawn at
    /// once; the others are handed to `recordAhead` at start.
    mutating func restoreAhead(_ ledger: LedgerState, nowMs: Int64) -> [SlotID: Ahead] {
        var restored: [SlotID: Ahead] = [:]
        var gone: [Ahead] = []
        for (name, remembered) in ledger.jobs.sorted(by: { $0.key < $1.key }) {
            for (slotTime, summary) in remembered.unresolved.sorted(by: { $0.key < $1.key }) {
                guard let fireMs = Self.fireMs(summary), fireMs > nowMs else { continue }
                let due = DueSlot(jobName: name, flow: summary.flow ?? remembered.flow, jobOrder: jobs[name]?.order ?? Int.max,
                                  slot: slotTime, token: summary.token, fireMs: fireMs)
                let entry = Ahead(due: due, atMs: Int64(((summary.firstSentAt ?? summary.updatedAt) * 1000).rounded()), durable: true)
                if let (job, _) = jobs[name], job.enabled {
                    restored[due.id] = entry
                } else {
                    gone.append(entry)
                }
            }
        }
        withdraw(gone, nowMs: nowMs, reason: "not sent: its job is no longer in the job file or is disabled")
        return restored
    }

    /// A slot's fire time when its `sent` was written ahead, in Unix milliseconds.
    static func fireMs(_ summary: SlotSummary) -> Int64? {
        summary.fireAt.map { Int64(($0 * 1000).rounded()) }
    }

    /// Whether the ledger's record of this slot says it may have been sent by now: any `sent`,
    /// except one written ahead whose fire time is still to come.
    static func mayHaveBeenSent(_ summary: SlotSummary, nowMs: Int64) -> Bool {
        guard let fireMs = fireMs(summary) else { return true }
        return fireMs <= nowMs
    }
}
