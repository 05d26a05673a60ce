@testable import Ledger

/// The replay rules of docs/ledger.md written a second, naive way: one summary per slot and
/// plain sets, with the history being "the `limit` largest slots remembered". Used to check
/// `LedgerState.apply` against something that does not share its data structures.
struct ReferenceReplay {
    struct Job {
        var flow = ""
        var watermark: Int64?
        var known: [Int64: SlotSummary] = [:]
        var unresolved: Set<Int64> = []
        var running: Set<Int64> = []
        var history: Set<Int64> = []
    }

    var limit: Int
    var jobs: [String: Job] = [:]

    mutating func apply(_ r: LedgerRecord) {
        var job = jobs[r.job] ?? Job()
        job.flow = r.flow
        var s = job.known[r.slot] ?? SlotSummary(slot: r.slot, token: r.token, updatedAt: r.at)
        s.token = r.token.isEmpty ? s.token : r.token
        s.flow = r.flow.isEmpty ? s.flow : r.flow
        s.updatedAt = r.at
        s.outcome = r.outcome ?? s.outcome
        s.executionId = r.executionId ?? s.executionId
        s.flowStatus = r.flowStatus ?? s.flowStatus
        s.errorCode = r.errorCode ?? s.errorCode
        s.message = r.message ?? s.message
        s.attempts = r.attempts ?? s.attempts
        s.recordsProcessed = r.recordsProcessed ?? s.recordsProcessed
        s.bytesProcessed = r.bytesProcessed ?? s.bytesProcessed
        s.bytesWritten = r.bytesWritten ?? s.bytesWritten
        s.fireAt = r.fireAt ?? s.fireAt
        if r.kind == .skipped, r.withdrawn == true {
            // Withdrawn: never sent, forgotten (a running slot stays running).
            job.unresolved.remove(r.slot)
            job.history.remove(r.slot)
            let kept = job.history.union(job.unresolved).union(job.running)
            job.known = job.known.filter { kept.contains($0.key) }
            jobs[r.job] = job
            return
        }
        switch r.kind {
        case .sent:
            s.firstSentAt = s.firstSentAt ?? r.at
            if r.fireAt == nil { job.watermark = max(job.watermark ?? r.slot, r.slot) }
            job.unresolved.insert(r.slot)
        case .skipped:
            if r.outcome == nil { s.outcome = .skipped }
            job.watermark = max(job.watermark ?? r.slot, r.slot)
            job.unresolved.remove(r.slot)
            job.running.remove(r.slot)
        case .outcome:
            if s.fireAt != nil { job.watermark = max(job.watermark ?? r.slot, r.slot) }
            job.unresolved.remove(r.slot)
            let final = r.final ?? (s.outcome == nil ? true : s.outcome != .started)
            if final { job.running.remove(r.slot) } else { job.running.insert(r.slot) }
        }
        job.known[r.slot] = s
        // A `sent` written ahead joins the history only if the slot is there already.
        if !(r.kind == .sent && r.fireAt != nil) || job.history.contains(r.slot) { job.history.insert(r.slot) }
        while job.history.count > limit, let oldest = job.history.min() { job.history.remove(oldest) }
        let kept = job.history.union(job.unresolved).union(job.running)
        job.known = job.known.filter { kept.contains($0.key) }
        jobs[r.job] = job
    }

    var state: LedgerState {
        LedgerState(jobs: jobs.mapValues { job in
            JobLedger(
                flow: job.flow, watermark: job.watermark,
                unresolved: job.known.filter { job.unresolved.contains($0.key) },
                running: job.known.filter { job.running.contains($0.key) },
                history: job.history.sorted().compactMap { job.known[$0] })
        })
    }
}
