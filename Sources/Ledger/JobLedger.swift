/// What the ledger remembers about one job.
package struct JobLedger: Sendable, Equatable {
    /// The flow named by the job's latest record.
    package var flow: String
    /// The latest slot for which a decision was recorded (sent or skipped); nil for a job never seen.
    package var watermark: Int64?
    /// Slots sent whose StartFlow outcome is not known yet (crash between send and answer): the
    /// daemon re-sends them with the same token while the token is young enough, else records
    /// outcome-unknown.
    package var unresolved: [Int64: SlotSummary]
    /// Slots started with wait = true whose run has not finished (started, no
    /// succeeded/errored/canceled yet).
    package var running: [Int64: SlotSummary]
    /// The most recent slots, one summary per slot, in ascending slot order (newest last), at
    /// most the ledger's history limit. Unresolved and running slots stay in their own maps
    /// even when they have aged out of this list.
    package var history: [SlotSummary]

    package init(
        flow: String, watermark: Int64? = nil, unresolved: [Int64: SlotSummary] = [:],
        running: [Int64: SlotSummary] = [:], history: [SlotSummary] = []
    ) {
        self.flow = flow
        self.watermark = watermark
        self.unresolved = unresolved
        self.running = running
        self.history = history
    }

    /// The newest slot in the history, for `appflowd status`.
    package var lastSlot: SlotSummary? { history.last }

    /// The current summary of a slot, wherever the ledger still keeps it.
    package func summary(for slot: Int64) -> SlotSummary? {
        if let found = unresolved[slot] { return found }
        if let found = running[slot] { return found }
        if let index = historyIndex(of: slot), history[index].slot == slot { return history[index] }
        return nil
    }

    /// Applies one record of this job. The result depends only on `self` and the record, which
    /// is what lets a snapshot of the state stand in for the records that built it.
    mutating func apply(_ record: LedgerRecord, historyLimit: Int) {
        flow = record.flow
        let slot = record.slot
        if record.withdraws {
            // The slot's `sent` was written ahead and it was never sent: forget it.
            unresolved[slot] = nil
            if let index = historyIndex(of: slot), history[index].slot == slot { history.remove(at: index) }
            return
        }
        var summary = summary(for: slot) ?? SlotSummary(slot: slot, token: record.token, updatedAt: record.at)
        summary.merge(record)
        switch record.kind {
        case .sent:
            if summary.firstSentAt == nil { summary.firstSentAt = record.at }
            // Written ahead of its fire time, the slot is not decided yet: a restart before the
            // fire time plans it as usual. Its outcome (or a retry's `sent`) moves the watermark.
            if record.fireAt == nil { watermark = max(watermark ?? slot, slot) }
            unresolved[slot] = summary
            if running[slot] != nil { running[slot] = summary }
        case .skipped:
            if record.outcome == nil { summary.outcome = .skipped }
            watermark = max(watermark ?? slot, slot)
            unresolved[slot] = nil
            running[slot] = nil
        case .outcome:
            // A slot recorded ahead has been sent once it has an outcome: now it is decided.
            if summary.fireAt != nil { watermark = max(watermark ?? slot, slot) }
            unresolved[slot] = nil
            // Without an explicit flag, the slot's (merged) outcome decides: only `started` waits.
            let isFinal = record.final ?? summary.outcome.map(\.isFinalByDefault) ?? true
            running[slot] = isFinal ? nil : summary
        }
        if record.kind == .sent, record.fireAt != nil, !inHistory(slot) {
            // Written ahead, not sent yet: kept in `unresolved` only, so that it never pushes a
            // slot that was sent out of the history (and a withdrawal leaves the history whole).
            return
        }
        remember(summary, limit: historyLimit)
    }

    /// Puts the summary in the history in slot order, replacing an older summary of the same
    /// slot and dropping the oldest slots beyond `limit`.
    mutating func remember(_ summary: SlotSummary, limit: Int) {
        guard let index = historyIndex(of: summary.slot) else {
            history.append(summary)
            trimHistory(to: limit)
            return
        }
        if history[index].slot == summary.slot {
            history[index] = summary
        } else {
            history.insert(summary, at: index)
            trimHistory(to: limit)
        }
    }

    mutating func trimHistory(to limit: Int) {
        let excess = history.count - max(limit, 0)
        if excess > 0 { history.removeFirst(excess) }
    }

    private func inHistory(_ slot: Int64) -> Bool {
        historyIndex(of: slot).map { history[$0].slot == slot } ?? false
    }

    /// The index of the first history entry whose slot is >= `slot`; nil when all are smaller.
    private func historyIndex(of slot: Int64) -> Int? {
        if let last = history.last, last.slot < slot { return nil }
        var low = 0
        var high = history.count
        while low < high {
            let middle = (low + high) / 2
            if history[middle].slot < slot { low = middle + 1 } else { high = middle }
        }
        return low < history.count ? low : nil
    }
}
