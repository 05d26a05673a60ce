/// How a flow is started in AppFlow, as `triggerConfig.triggerType` reports it.
package enum FlowTrigger: String, Sendable, Codable, CaseIterable {
    case onDemand = "OnDemand"
    case scheduled = "Scheduled"
    case event = "Event"
}

/// AppFlow's `flowStatus` values.
package enum FlowStatusValue: String, Sendable, Codable, CaseIterable {
    case active = "Active"
    case deprecated = "Deprecated"
    case deleted = "Deleted"
    case draft = "Draft"
    case errored = "Errored"
    case suspended = "Suspended"

    /// Case-insensitive, as the command line takes it.
    init?(loosely text: some StringProtocol) {
        guard let match = Self.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else { return nil }
        self = match
    }
}

/// A flow the emulator pretends exists.
///
/// On-demand flows run when `StartFlow` is called; scheduled and event flows are only
/// activated by it (no execution id), as in AppFlow.
package struct EmulatedFlow: Sendable, Equatable, Codable {
    package var name: String
    package var trigger: FlowTrigger
    /// When true, every run of this flow ends in `Error`.
    package var failsRuns: Bool
    /// A status set at start (`Draft`, `Suspended`, `Errored`...), as DescribeFlow reports it;
    /// nil: `Active`, or `Suspended` for a scheduled or event flow not yet activated.
    /// StartFlow activates a `Draft` or `Suspended` scheduled or event flow, and refuses any
    /// other flow whose status is not `Active`.
    package var status: FlowStatusValue?

    package init(name: String, trigger: FlowTrigger = .onDemand, failsRuns: Bool = false, status: FlowStatusValue? = nil) {
        self.name = name
        self.trigger = trigger
        self.failsRuns = failsRuns
        self.status = status
    }

    private enum CodingKeys: String, CodingKey {
        case name, trigger, failsRuns, status
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        trigger = try container.decodeIfPresent(FlowTrigger.self, forKey: .trigger) ?? .onDemand
        failsRuns = try container.decodeIfPresent(Bool.self, forKey: .failsRuns) ?? false
        status = try container.decodeIfPresent(FlowStatusValue.self, forKey: .status)
    }

    /// Parses the command-line form `NAME[:KIND[:STATUS]]`: KIND `ondemand` (default),
    /// `scheduled`, `event` or `error`; STATUS one of AppFlow's flow statuses, any case
    /// (`nightly:scheduled:draft`, `accounts:ondemand:suspended`). Flow names cannot hold a colon.
    package init(argument: String) throws(EmulatorConfigurationError) {
        let parts = argument.split(separator: ":", omittingEmptySubsequences: false)
        let name = parts[0]
        let kind = parts.count > 1 ? parts[1] : ""
        guard FieldValidation.isValidFlowName(name), parts.count <= 3 else {
            throw EmulatorConfigurationError(
                code: "invalid-flow-name",
                message: "flow name '\(name)' does not match AppFlow's pattern [a-zA-Z0-9][\\w!@#.-]+ (max 256)"
            )
        }
        var status: FlowStatusValue?
        if parts.count == 3 {
            guard let value = FlowStatusValue(loosely: parts[2]) else {
                throw EmulatorConfigurationError(
                    code: "invalid-flow-status",
                    message: "flow '\(name)': unknown status '\(parts[2])' (expected "
                        + FlowStatusValue.allCases.map(\.rawValue).joined(separator: ", ") + ")"
                )
            }
            status = value
        }
        switch kind.lowercased() {
        case "", "ondemand", "on-demand":
            self.init(name: String(name), status: status)
        case "scheduled":
            self.init(name: String(name), trigger: .scheduled, status: status)
        case "event":
            self.init(name: String(name), trigger: .event, status: status)
        case "error":
            self.init(name: String(name), failsRuns: true, status: status)
        default:
            throw EmulatorConfigurationError(
                code: "invalid-flow-kind",
                message: "flow '\(name)': unknown kind '\(kind)' (expected ondemand, scheduled, event or error)"
            )
        }
    }
}

/// A problem in the emulator's configuration (flags, flows file, TLS files).
package struct EmulatorConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    package var code: String
    package var message: String

    package init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { "\(code): \(message)" }
}
