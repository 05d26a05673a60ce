import Foundation

/// What the emulator knows about one flow: its declaration, status and runs (oldest first).
package struct FlowState: Sendable {
    package var flow: EmulatedFlow
    package var activated: Bool
    package var createdAt: Date
    package var lastUpdatedAt: Date
    package var executions: [FlowExecution] = []

    /// The declared status (`EmulatedFlow.status`) until StartFlow activates the flow; else
    /// `Active` for on-demand flows and activated scheduled/event flows, and `Suspended` for a
    /// scheduled or event flow that `StartFlow` has not activated yet.
    package var flowStatus: String {
        if !activated, let declared = flow.status { return declared.rawValue }
        return flow.trigger == .onDemand || activated ? "Active" : "Suspended"
    }

    /// Why StartFlow refuses this flow, nil when it starts or activates it: a scheduled or event
    /// flow in `Draft` or `Suspended` is activated, anything else not `Active` is refused.
    /// (AppFlow does not document its answer; the emulator's is a 400 ValidationException.)
    var startRefusal: String? {
        guard !activated, let declared = flow.status, declared != .active else { return nil }
        if flow.trigger != .onDemand, declared == .draft || declared == .suspended { return nil }
        return "Flow \(flow.name) cannot be started: its status is \(declared.rawValue)."
    }
}
