/// How a flow is started in AppFlow, as `triggerConfig.triggerType` reports it.
package enum FlowTrigger: String, Sendable, Codable, CaseIterable {
    case onDemand = "OnDemand"
    case scheduled = "Scheduled"
    case event = "Event"
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

    package init(name: String, trigger: FlowTrigger = .onDemand, failsRuns: Bool = false) {
        self.name = name
        self.trigger = trigger
        self.failsRuns = failsRuns
    }

    private enum CodingKeys: String, CodingKey {
        case name, trigger, failsRuns
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        trigger = try container.decodeIfPresent(FlowTrigger.self, forKey: .trigger) ?? .onDemand
        failsRuns = try container.decodeIfPresent(Bool.self, forKey: .failsRuns) ?? false
    }

    /// Parses the command-line form `NAME`, `NAME:scheduled`, `NAME:event`, `NAME:error`
    /// (or `NAME:ondemand`).
    package init(argument: String) throws(EmulatorConfigurationError) {
        let name: Substring
        let kind: Substring
        if let colon = argument.lastIndex(of: ":") {
            name = argument[..<colon]
            kind = argument[argument.index(after: colon)...]
        } else {
            name = Substring(argument)
            kind = ""
        }
        guard FieldValidation.isValidFlowName(name) else {
            throw EmulatorConfigurationError(
                code: "invalid-flow-name",
                message: "flow name '\(name)' does not match AppFlow's pattern [a-zA-Z0-9][\\w!@#.-]+ (max 256)"
            )
        }
        switch kind.lowercased() {
        case "", "ondemand", "on-demand":
            self.init(name: String(name))
        case "scheduled":
            self.init(name: String(name), trigger: .scheduled)
        case "event":
            self.init(name: String(name), trigger: .event)
        case "error":
            self.init(name: String(name), failsRuns: true)
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
