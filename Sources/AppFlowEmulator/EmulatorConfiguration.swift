import Foundation

/// Everything `EmulatorServer.start` needs.
package struct EmulatorConfiguration: Sendable {
    /// The demo key pair accepted when no credentials are configured. Not a real AWS key.
    package static let demoAccessKeyId = "AKIDAPPFLOWDDEMO"
    package static let demoSecretAccessKey = "appflowd-demo-secret-not-real"

    /// Paths of a PEM certificate chain and private key; when set the server speaks HTTPS.
    package struct TLSFiles: Sendable, Equatable {
        package var certificateChainPath: String
        package var privateKeyPath: String

        package init(certificateChainPath: String, privateKeyPath: String) {
            self.certificateChainPath = certificateChainPath
            self.privateKeyPath = privateKeyPath
        }
    }

    package var flows: [EmulatedFlow]
    /// Access key id -> secret access key. Requests signed with any other key get
    /// UnrecognizedClientException.
    package var credentials: [String: String]
    package var faults: FaultSettings
    /// How long a run stays InProgress before it ends, in seconds.
    package var runDuration: TimeInterval
    /// A JSONL file that receives one line per request, written as each request is answered.
    package var recordPath: String?
    package var host: String
    /// 0 picks a free port; read `EmulatorServer.port` afterwards.
    package var port: Int
    package var tls: TLSFiles?
    /// Used in ARNs. Signatures are accepted for any region in their scope.
    package var region: String
    package var account: String
    /// Seeds the dice for faults, execution ids and run statistics; nil draws a random seed.
    package var seed: UInt64?
    package var clock: any EmulatorClock
    /// How many requests the in-memory record keeps (the oldest are dropped first).
    package var requestHistoryLimit: Int
    /// Event loop threads; nil uses one per core.
    package var threads: Int?

    package init(
        flows: [EmulatedFlow] = [],
        credentials: [String: String] = [demoAccessKeyId: demoSecretAccessKey],
        faults: FaultSettings = FaultSettings(),
        runDuration: TimeInterval = 2,
        recordPath: String? = nil,
        host: String = "127.0.0.1",
        port: Int = 8555,
        tls: TLSFiles? = nil,
        region: String = "us-east-1",
        account: String = "123456789012",
        seed: UInt64? = nil,
        clock: any EmulatorClock = SystemEmulatorClock(),
        requestHistoryLimit: Int = 200_000,
        threads: Int? = nil
    ) {
        self.flows = flows
        self.credentials = credentials
        self.faults = faults
        self.runDuration = runDuration
        self.recordPath = recordPath
        self.host = host
        self.port = port
        self.tls = tls
        self.region = region
        self.account = account
        self.seed = seed
        self.clock = clock
        self.requestHistoryLimit = requestHistoryLimit
        self.threads = threads
    }

    /// Reads a flows file: a JSON list of `{"name": ..., "trigger": "OnDemand|Scheduled|Event",
    /// "failsRuns": bool}`.
    package static func loadFlows(fromFile path: String) throws(EmulatorConfigurationError) -> [EmulatedFlow] {
        let flows: [EmulatedFlow]
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            flows = try JSONDecoder().decode([EmulatedFlow].self, from: data)
        } catch {
            throw EmulatorConfigurationError(code: "invalid-flows-file", message: "\(path): \(error)")
        }
        for flow in flows where !FieldValidation.isValidFlowName(flow.name) {
            throw EmulatorConfigurationError(
                code: "invalid-flow-name", message: "\(path): flow name '\(flow.name)' is not valid in AppFlow")
        }
        return flows
    }

    /// Checks what the server cannot work around.
    package func validate() throws(EmulatorConfigurationError) {
        var seen = Set<String>()
        for flow in flows where !seen.insert(flow.name).inserted {
            throw EmulatorConfigurationError(code: "duplicate-flow", message: "flow '\(flow.name)' is declared twice")
        }
        if let problem = faults.validationProblem() {
            throw EmulatorConfigurationError(code: "invalid-faults", message: problem)
        }
        guard runDuration >= 0, runDuration.isFinite else {
            throw EmulatorConfigurationError(code: "invalid-run-duration", message: "run duration must be >= 0 seconds")
        }
        guard (0...65535).contains(port) else {
            throw EmulatorConfigurationError(code: "invalid-port", message: "port \(port) is out of range")
        }
        guard !credentials.isEmpty else {
            throw EmulatorConfigurationError(code: "no-credentials", message: "at least one access key is required")
        }
    }
}
