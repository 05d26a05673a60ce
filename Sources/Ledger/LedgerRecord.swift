/// One line of the ledger's append-only log: a slot was sent, answered, or skipped.
///
/// On disk each record is one JSON object on one line, `{"v":1,"kind":"sent",...}`; absent
/// optionals are omitted. Fields present in a later record of the same slot replace the earlier
/// values; absent ones keep them (see `LedgerState.apply(_:historyLimit:)`).
package struct LedgerRecord: Codable, Sendable, Equatable {
    package enum Kind: String, Codable, Sendable, CaseIterable {
        /// Written durably BEFORE the first StartFlow of a slot; `at` is the first send time. With
        /// `fireAt`, written ahead of the slot's fire time: the slot may be sent from `fireAt` on.
        case sent
        /// A result: `outcome` plus details.
        case outcome
        /// A slot deliberately not sent (catch-up skip, overlap skip, disabled): advances the watermark.
        /// With `withdrawn`, the record written ahead for a slot never sent is taken back instead.
        case skipped
    }

    package var kind: Kind
    package var job: String
    package var flow: String
    /// The nominal slot, in Unix seconds.
    package var slot: Int64
    package var token: String
    /// Unix seconds (with fraction) when this was recorded; for `sent`, the first send time.
    package var at: Double
    package var outcome: SlotOutcome?
    /// True when no further outcome will follow for this slot; false for `started` with
    /// wait = true, which keeps the slot in `JobLedger.running` until its run ends.
    /// When nil, every outcome except `started` counts as final.
    package var final: Bool?
    package var executionId: String?
    package var flowStatus: String?
    package var errorCode: String?
    package var message: String?
    package var attempts: Int?
    package var recordsProcessed: Int64?
    package var bytesProcessed: Int64?
    package var bytesWritten: Int64?
    /// On a `sent` written ahead of the slot: its fire time, Unix seconds with fraction. Until
    /// then the slot has not been sent (a restart before it plans the slot as usual); once it
    /// has passed, the slot may have been sent. Such a record does not move the watermark.
    package var fireAt: Double?
    /// On a `skipped`: the `sent` written ahead for this slot is withdrawn, the slot was never
    /// sent and is plannable again (it leaves `unresolved` and the history; the watermark stays).
    package var withdrawn: Bool?

    package init(
        kind: Kind, job: String, flow: String, slot: Int64, token: String, at: Double,
        outcome: SlotOutcome? = nil, final: Bool? = nil,
        executionId: String? = nil, flowStatus: String? = nil,
        errorCode: String? = nil, message: String? = nil, attempts: Int? = nil,
        recordsProcessed: Int64? = nil, bytesProcessed: Int64? = nil, bytesWritten: Int64? = nil,
        fireAt: Double? = nil, withdrawn: Bool? = nil
    ) {
        self.kind = kind
        self.job = job
        self.flow = flow
        self.slot = slot
        self.token = token
        self.at = at
        self.outcome = outcome
        self.final = final
        self.executionId = executionId
        self.flowStatus = flowStatus
        self.errorCode = errorCode
        self.message = message
        self.attempts = attempts
        self.recordsProcessed = recordsProcessed
        self.bytesProcessed = bytesProcessed
        self.bytesWritten = bytesWritten
        self.fireAt = fireAt
        self.withdrawn = withdrawn
    }

    /// A `sent` record: append it, and wait for it, before the slot's first StartFlow.
    package static func sent(job: String, flow: String, slot: Int64, token: String, at: Double) -> LedgerRecord {
        LedgerRecord(kind: .sent, job: job, flow: flow, slot: slot, token: token, at: at)
    }

    /// A `sent` record written ahead of the slot's fire time (`fireAt`, Unix seconds): durable
    /// before the fire time, so nothing is written between the timer and the StartFlow.
    package static func sentAhead(job: String, flow: String, slot: Int64, token: String, at: Double, fireAt: Double) -> LedgerRecord {
        LedgerRecord(kind: .sent, job: job, flow: flow, slot: slot, token: token, at: at, fireAt: fireAt)
    }

    /// Takes back a `sentAhead` record of a slot that will not be sent after all (the daemon
    /// stops before its fire time, a reload changes or removes its job): the slot is plannable
    /// again. A `skipped` record, so that an older reader, which does not know `withdrawn`, at
    /// least never sends the slot.
    package static func withdrawn(job: String, flow: String, slot: Int64, token: String, at: Double, message: String) -> LedgerRecord {
        var record = skipped(job: job, flow: flow, slot: slot, token: token, at: at, message: message)
        record.withdrawn = true
        return record
    }

    /// Whether this record withdraws a `sent` written ahead.
    package var withdraws: Bool { kind == .skipped && withdrawn == true }

    /// A `skipped` record for a slot deliberately not sent; `message` says why.
    package static func skipped(
        job: String, flow: String, slot: Int64, token: String, at: Double, message: String? = nil
    ) -> LedgerRecord {
        LedgerRecord(
            kind: .skipped, job: job, flow: flow, slot: slot, token: token, at: at,
            outcome: .skipped, final: true, message: message)
    }

    enum CodingKeys: String, CodingKey {
        case v, kind, job, flow, slot, token, at, outcome, final, executionId, flowStatus
        case errorCode, message, attempts, recordsProcessed, bytesProcessed, bytesWritten, fireAt, withdrawn
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try LedgerFormat.checkVersion(c.decodeIfPresent(Int.self, forKey: .v), in: c)
        kind = try c.decode(Kind.self, forKey: .kind)
        job = try c.decode(String.self, forKey: .job)
        flow = try c.decode(String.self, forKey: .flow)
        slot = try c.decode(Int64.self, forKey: .slot)
        token = try c.decode(String.self, forKey: .token)
        at = try c.decode(Double.self, forKey: .at)
        outcome = try c.decodeIfPresent(SlotOutcome.self, forKey: .outcome)
        final = try c.decodeIfPresent(Bool.self, forKey: .final)
        executionId = try c.decodeIfPresent(String.self, forKey: .executionId)
        flowStatus = try c.decodeIfPresent(String.self, forKey: .flowStatus)
        errorCode = try c.decodeIfPresent(String.self, forKey: .errorCode)
        message = try c.decodeIfPresent(String.self, forKey: .message)
        attempts = try c.decodeIfPresent(Int.self, forKey: .attempts)
        recordsProcessed = try c.decodeIfPresent(Int64.self, forKey: .recordsProcessed)
        bytesProcessed = try c.decodeIfPresent(Int64.self, forKey: .bytesProcessed)
        bytesWritten = try c.decodeIfPresent(Int64.self, forKey: .bytesWritten)
        fireAt = try c.decodeIfPresent(Double.self, forKey: .fireAt)
        withdrawn = try c.decodeIfPresent(Bool.self, forKey: .withdrawn)
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(LedgerFormat.version, forKey: .v)
        try c.encode(kind, forKey: .kind)
        try c.encode(job, forKey: .job)
        try c.encode(flow, forKey: .flow)
        try c.encode(slot, forKey: .slot)
        try c.encode(token, forKey: .token)
        try c.encode(at, forKey: .at)
        try c.encodeIfPresent(outcome, forKey: .outcome)
        try c.encodeIfPresent(final, forKey: .final)
        try c.encodeIfPresent(executionId, forKey: .executionId)
        try c.encodeIfPresent(flowStatus, forKey: .flowStatus)
        try c.encodeIfPresent(errorCode, forKey: .errorCode)
        try c.encodeIfPresent(message, forKey: .message)
        try c.encodeIfPresent(attempts, forKey: .attempts)
        try c.encodeIfPresent(recordsProcessed, forKey: .recordsProcessed)
        try c.encodeIfPresent(bytesProcessed, forKey: .bytesProcessed)
        try c.encodeIfPresent(bytesWritten, forKey: .bytesWritten)
        try c.encodeIfPresent(fireAt, forKey: .fireAt)
        try c.encodeIfPresent(withdrawn, forKey: .withdrawn)
    }
}
