/// The answer to a `StartFlow` that was accepted.
package struct StartFlowOutcome: Sendable, Equatable {
    package var flowArn: String
    package var flowStatus: String
    /// Nil for scheduled and event flows, which `StartFlow` only activates.
    package var executionId: String?
    /// True when this call created a run (or activated a flow); false when it replayed an
    /// earlier answer for the same token.
    package var isNew: Bool
}
