/// Faults the emulator injects into AppFlow operations. Set by flags at start and replaced
/// or patched at run time through `POST /_emulator/faults`.
package struct FaultSettings: Sendable, Equatable, Codable {
    /// Fail the first N `StartFlow` attempts of each client token with 500
    /// InternalServerException, before any run is created.
    package var failFirst: Int = 0
    /// Probability of a 500 InternalServerException on any operation (before state changes).
    package var errorRate: Double = 0
    /// Probability of a 429 ThrottlingException on any operation (before state changes).
    package var throttleRate: Double = 0
    /// Delay added before every answer, in milliseconds.
    package var latencyMs: Int = 0
    /// Extra delay added with probability `latencySpikeRate`, in milliseconds.
    package var latencySpikeMs: Int = 0
    package var latencySpikeRate: Double = 0
    /// Probability that the connection is closed without an answer, after the request was
    /// recorded and (for `StartFlow`) the run created: the caller cannot know the outcome.
    package var dropRate: Double = 0
    /// Answer 409 ConflictException when an on-demand flow is started while a run of it is
    /// still in progress.
    package var conflictWhenRunning: Bool = false
    /// The endpoint is down: every AppFlow request is recorded (status 503, fault `down`) and
    /// its connection closed without an answer, before any state change, as a dead load
    /// balancer would. Admin requests still work, so a test can bring it back.
    package var down: Bool = false
    /// Operations (`StartFlow`, `DescribeFlow`, ...) answered 403 AccessDeniedException, as
    /// IAM answers a caller whose policy lacks `appflow:OPERATION`, before any state change.
    package var denied: [String] = []

    package init() {}

    package init(
        failFirst: Int = 0, errorRate: Double = 0, throttleRate: Double = 0, latencyMs: Int = 0,
        latencySpikeMs: Int = 0, latencySpikeRate: Double = 0, dropRate: Double = 0,
        conflictWhenRunning: Bool = false, down: Bool = false, denied: [String] = []
    ) {
        self.failFirst = failFirst
        self.errorRate = errorRate
        self.throttleRate = throttleRate
        self.latencyMs = latencyMs
        self.latencySpikeMs = latencySpikeMs
        self.latencySpikeRate = latencySpikeRate
        self.dropRate = dropRate
        self.conflictWhenRunning = conflictWhenRunning
        self.down = down
        self.denied = denied
    }

    /// Decodes a partial object: absent keys keep their defaults.
    package init(from decoder: any Decoder) throws {
        self = try FaultSettingsPatch(from: decoder).applied(to: FaultSettings())
    }

    /// Checks the ranges; returns a message describing the first problem.
    package func validationProblem() -> String? {
        if failFirst < 0 { return "failFirst must be >= 0" }
        if latencyMs < 0 || latencySpikeMs < 0 { return "latencies must be >= 0" }
        let rates = [("errorRate", errorRate), ("throttleRate", throttleRate),
                     ("latencySpikeRate", latencySpikeRate), ("dropRate", dropRate)]
        for (name, rate) in rates where !(rate >= 0 && rate <= 1) {
            return "\(name) must be between 0 and 1"
        }
        for operation in denied where AppFlowOperation(rawValue: operation) == nil {
            return "denied: unknown operation '\(operation)' (expected "
                + AppFlowOperation.allCases.map(\.rawValue).joined(separator: ", ") + ")"
        }
        return nil
    }
}

/// A partial `FaultSettings`, as `POST /_emulator/faults` accepts: absent keys keep the
/// current values.
package struct FaultSettingsPatch: Sendable, Decodable {
    var failFirst: Int?
    var errorRate: Double?
    var throttleRate: Double?
    var latencyMs: Int?
    var latencySpikeMs: Int?
    var latencySpikeRate: Double?
    var dropRate: Double?
    var conflictWhenRunning: Bool?
    var down: Bool?
    var denied: [String]?

    package func applied(to base: FaultSettings) -> FaultSettings {
        var result = base
        result.failFirst = failFirst ?? base.failFirst
        result.errorRate = errorRate ?? base.errorRate
        result.throttleRate = throttleRate ?? base.throttleRate
        result.latencyMs = latencyMs ?? base.latencyMs
        result.latencySpikeMs = latencySpikeMs ?? base.latencySpikeMs
        result.latencySpikeRate = latencySpikeRate ?? base.latencySpikeRate
        result.dropRate = dropRate ?? base.dropRate
        result.conflictWhenRunning = conflictWhenRunning ?? base.conflictWhenRunning
        result.down = down ?? base.down
        result.denied = denied ?? base.denied
        return result
    }
}
