/// Everything the ledger knows about one slot of one job: the merge of its records.
package struct SlotSummary: Codable, Sendable, Equatable {
    /// The nominal slot, in Unix seconds.
    package var slot: Int64
    package var token: String
    /// The flow the slot was sent to (its latest record's); nil in ledgers written before 0.2,
    /// where the job's flow stands in.
    package var flow: String?
    /// When the slot's token was first sent (the first `sent` record); nil for a slot never sent.
    /// AppFlow forgets a token after 8 hours, so the daemon never re-sends it after 7h45m.
    package var firstSentAt: Double?
    /// The latest outcome; nil while a sent slot has no answer yet.
    package var outcome: SlotOutcome?
    package var executionId: String?
    package var flowStatus: String?
    package var errorCode: String?
    package var message: String?
    package var attempts: Int?
    package var recordsProcessed: Int64?
    package var bytesProcessed: Int64?
    package var bytesWritten: Int64?
    /// The `at` of the latest record for this slot.
    package var updatedAt: Double
    /// The slot's fire time when its `sent` was written ahead of it (Unix seconds): before it, the
    /// slot has not been sent yet. Nil in every other case.
    package var fireAt: Double?

    package init(
        slot: Int64, token: String, flow: String? = nil, firstSentAt: Double? = nil, outcome: SlotOutcome? = nil,
        executionId: String? = nil, flowStatus: String? = nil, errorCode: String? = nil,
        message: String? = nil, attempts: Int? = nil, recordsProcessed: Int64? = nil,
        bytesProcessed: Int64? = nil, bytesWritten: Int64? = nil, updatedAt: Double, fireAt: Double? = nil
    ) {
        self.slot = slot
        self.token = token
        self.flow = flow
        self.firstSentAt = firstSentAt
        self.outcome = outcome
        self.executionId = executionId
        self.flowStatus = flowStatus
        self.errorCode = errorCode
        self.message = message
        self.attempts = attempts
        self.recordsProcessed = recordsProcessed
        self.bytesProcessed = bytesProcessed
        self.bytesWritten = bytesWritten
        self.updatedAt = updatedAt
        self.fireAt = fireAt
    }

    /// Takes the details a record carries; a field the record leaves out keeps its value, so a
    /// `succeeded` without an executionId keeps the one `started` brought.
    mutating func merge(_ record: LedgerRecord) {
        if !record.token.isEmpty { token = record.token }
        if !record.flow.isEmpty { flow = record.flow }
        if let value = record.outcome { outcome = value }
        if let value = record.executionId { executionId = value }
        if let value = record.flowStatus { flowStatus = value }
        if let value = record.errorCode { errorCode = value }
        if let value = record.message { message = value }
        if let value = record.attempts { attempts = value }
        if let value = record.recordsProcessed { recordsProcessed = value }
        if let value = record.bytesProcessed { bytesProcessed = value }
        if let value = record.bytesWritten { bytesWritten = value }
        if let value = record.fireAt { fireAt = value }
        updatedAt = record.at
    }
}
