/// What became of one slot, as the ledger records it.
///
/// The raw values are the journal's `EVENT` names (SPEC section 5) and are written into the
/// ledger file, so they must never change.
package enum SlotOutcome: String, Codable, Sendable, CaseIterable {
    /// StartFlow returned an executionId (an on-demand flow is running).
    case started
    /// StartFlow succeeded for a scheduled or event-triggered flow: no executionId.
    case activated
    /// StartFlow failed with an error that is not retried, or retries ran out.
    case failed
    /// The slot was deliberately not run (catch-up, overlap, disabled, ConflictException).
    case skipped
    /// The slot was sent but can no longer be sent safely and its answer was never seen.
    case outcomeUnknown = "outcome-unknown"
    /// A followed run (wait = true) finished successfully.
    case succeeded
    /// A followed run finished with an error.
    case errored
    /// A followed run was canceled.
    case canceled

    /// Whether, with no explicit `final` flag on the record, no further outcome is expected.
    /// Only `started` leaves room for one: the run may still be followed to its end.
    var isFinalByDefault: Bool { self != .started }
}
