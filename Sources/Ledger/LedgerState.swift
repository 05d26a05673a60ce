/// Everything the ledger remembers: one `JobLedger` per job name.
package struct LedgerState: Sendable, Equatable {
    package var jobs: [String: JobLedger]

    package init(jobs: [String: JobLedger] = [:]) {
        self.jobs = jobs
    }

    /// Applies one record, in log order. The replay rules:
    /// - `sent`: the slot joins `unresolved` (keeping the first `firstSentAt` if sent twice);
    ///   the watermark moves up to the slot, unless the record was written ahead (`fireAt`).
    /// - `outcome`: the slot leaves `unresolved`; a non-final outcome (`started` with wait)
    ///   puts it in `running`, a final one takes it out. The watermark moves up to the slot only
    ///   when the slot's `sent` was written ahead.
    /// - `skipped`: the watermark moves up to the slot; the slot leaves `unresolved` and `running`.
    ///   With `withdrawn`: the slot leaves `unresolved` and the history, the watermark stays.
    /// Every record updates the slot's summary in the history (latest `historyLimit` slots).
    package mutating func apply(_ record: LedgerRecord, historyLimit: Int) {
        jobs[record.job, default: JobLedger(flow: record.flow)].apply(record, historyLimit: historyLimit)
    }

    package mutating func apply(_ records: some Sequence<LedgerRecord>, historyLimit: Int) {
        for record in records { apply(record, historyLimit: historyLimit) }
    }

    /// The state with only the named jobs (all of them when `names` is nil).
    func keeping(_ names: Set<String>?) -> LedgerState {
        guard let names else { return self }
        return LedgerState(jobs: jobs.filter { names.contains($0.key) })
    }
}
