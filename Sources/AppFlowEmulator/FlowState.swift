import Foundation

/// What the emulator knows about one flow: its declaration, status and runs (oldest first).
package struct FlowState: Sendable {
    package var flow: EmulatedFlow
    package var activated: Bool
    package var createdAt: Date
    package var lastUpdatedAt: Date
    package var executions: [FlowExecution] = []

    /// `Active` for on-demand flows and activated scheduled/event flows; `Suspended` for a
    /// scheduled or event flow that `StartFlow` has not activated yet.
    package var flowStatus: String {
        flow.trigger == .onDemand || activated ? "Active" : "Suspended"
    }
}
