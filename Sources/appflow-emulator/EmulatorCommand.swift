import AppFlowEmulator
import ArgumentParser
import Foundation

/// `appflow-emulator`: a local Amazon AppFlow endpoint for the demo and the tests.
@main
struct EmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "appflow-emulator",
        abstract: "A local Amazon AppFlow endpoint (StartFlow, DescribeFlow, DescribeFlowExecutionRecords, ListFlows).",
        discussion: """
            Requests must be signed with SigV4 (service "appflow", any region) by one of the --credentials \
            key pairs. Without --credentials the emulator accepts only the demo pair \
            \(EmulatorConfiguration.demoAccessKeyId) / \(EmulatorConfiguration.demoSecretAccessKey) \
            (not a real AWS key). Prints "LISTENING <port>" on stdout when ready. An unsigned admin API \
            lives under /_emulator/ (faults, requests, reset); see docs/emulator.md.
            """
    )

    @Option(name: .customLong("flow"), help: """
        A flow: NAME (on-demand), NAME:scheduled, NAME:event or NAME:error (runs end in Error), \
        optionally with a status, NAME:KIND:STATUS (draft, suspended, errored, deprecated, deleted, active). Repeatable.
        """)
    var flows: [String] = []

    @Option(help: "A JSON list of flows: [{\"name\": ..., \"trigger\": \"OnDemand|Scheduled|Event\", \"failsRuns\": false, \"status\": \"Draft\"}].")
    var flowsFile: String?

    @Option(name: .customLong("credentials"), help: "An accepted key pair AKID:SECRET. Repeatable. Default: the demo pair.")
    var credentials: [String] = []

    @Option(help: "Region used in ARNs (signatures are accepted for any region).")
    var region = "us-east-1"

    @Option(help: "Account id used in ARNs.")
    var account = "123456789012"

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on; 0 picks a free port.")
    var port = 8555

    @Option(help: "Seconds a run stays InProgress before it ends (fractions allowed).")
    var runSeconds: Double = 2

    @Option(help: "Write one JSON line per request to this file, one write(2) per line (truncated at start).")
    var record: String?

    @Option(help: "PEM certificate chain; with --tls-key, serve HTTPS.")
    var tlsCert: String?

    @Option(help: "PEM private key for --tls-cert.")
    var tlsKey: String?

    @Option(help: "Fail the first N StartFlow attempts of each client token with 500 InternalServerException.")
    var failFirst = 0

    @Option(help: "Probability of a 500 InternalServerException on any operation.")
    var errorRate: Double = 0

    @Option(help: "Probability of a 429 ThrottlingException on any operation.")
    var throttleRate: Double = 0

    @Option(help: "Delay before every answer, in milliseconds.")
    var latencyMs = 0

    @Option(help: "Extra delay of a latency spike, in milliseconds.")
    var latencySpikeMs = 0

    @Option(help: "Probability of a latency spike.")
    var latencySpikeRate: Double = 0

    @Option(help: "Probability of closing the connection without answering, after the run was created.")
    var dropRate: Double = 0

    @Flag(help: "Answer 409 ConflictException to StartFlow while a run of that on-demand flow is in progress.")
    var conflictWhenRunning = false

    @Option(name: .customLong("deny"), help: ArgumentHelp(
        "Answer 403 AccessDeniedException to this operation (StartFlow, DescribeFlow, ...), as IAM does. Repeatable.",
        valueName: "OPERATION"))
    var denied: [String] = []

    @Option(help: "Seed for the fault dice, execution ids and run statistics.")
    var seed: UInt64?

    @Option(help: "Event loop threads (default: one per core).")
    var threads: Int?

    func run() async throws {
        let configuration = try makeConfiguration()
        let server: EmulatorServer
        do {
            server = try await EmulatorServer.start(configuration)
        } catch let error as EmulatorConfigurationError {
            throw ValidationError(error.description)
        }
        let signals = ShutdownSignals()
        // FileHandle writes straight to the descriptor: the line is visible at once to a
        // parent process reading a pipe.
        FileHandle.standardOutput.write(Data("LISTENING \(server.port)\n".utf8))
        await signals.wait()
        try await server.shutdown()
    }

    private func makeConfiguration() throws -> EmulatorConfiguration {
        var declared: [EmulatedFlow] = []
        do {
            for argument in flows {
                declared.append(try EmulatedFlow(argument: argument))
            }
            if let flowsFile {
                declared += try EmulatorConfiguration.loadFlows(fromFile: flowsFile)
            }
        } catch {
            throw ValidationError(error.description)
        }
        var keys: [String: String] = [:]
        for pair in credentials {
            guard let colon = pair.firstIndex(of: ":"), colon != pair.startIndex, colon != pair.index(before: pair.endIndex) else {
                throw ValidationError("--credentials must be AKID:SECRET")
            }
            keys[String(pair[..<colon])] = String(pair[pair.index(after: colon)...])
        }
        if keys.isEmpty {
            keys[EmulatorConfiguration.demoAccessKeyId] = EmulatorConfiguration.demoSecretAccessKey
        }
        var tls: EmulatorConfiguration.TLSFiles?
        switch (tlsCert, tlsKey) {
        case (nil, nil): tls = nil
        case (let cert?, let key?): tls = .init(certificateChainPath: cert, privateKeyPath: key)
        default: throw ValidationError("--tls-cert and --tls-key go together")
        }
        let faults = FaultSettings(
            failFirst: failFirst, errorRate: errorRate, throttleRate: throttleRate, latencyMs: latencyMs,
            latencySpikeMs: latencySpikeMs, latencySpikeRate: latencySpikeRate, dropRate: dropRate,
            conflictWhenRunning: conflictWhenRunning, denied: denied)
        let configuration = EmulatorConfiguration(
            flows: declared, credentials: keys, faults: faults, runDuration: runSeconds, recordPath: record,
            host: host, port: port, tls: tls, region: region, account: account, seed: seed, threads: threads)
        do {
            try configuration.validate()
        } catch {
            throw ValidationError(error.description)
        }
        return configuration
    }
}
