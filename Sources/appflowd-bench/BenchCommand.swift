import ArgumentParser
import Foundation
import SigV4

/// `appflowd-bench`: the load generator behind `scripts/bench`'s emulator-throughput item.
/// It sends signed `StartFlow` requests over keep-alive connections to an AppFlow endpoint on
/// this machine and prints one JSON object with the rate it measured.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "appflowd-bench",
        abstract: "Load an AppFlow endpoint on this machine with signed StartFlow requests (for scripts/bench).",
        discussion: """
            Each connection keeps one request in flight; every request has a fresh client token. \
            Prints {"requests", "errors", "lostConnections", "seconds", "requestsPerSecond", \
            "clientCPUSeconds"} counted over --seconds after --warmup. Only loopback addresses are accepted.
            """
    )

    @Option(help: "Loopback address of the endpoint.")
    var host = "127.0.0.1"

    @Option(help: "Port of the endpoint.")
    var port: Int

    @Option(help: "Flow to start (it must exist on the endpoint).")
    var flow = "bench"

    @Option(help: "Keep-alive connections, each with one request in flight.")
    var connections = 32

    @Option(help: "Event loop threads of the load generator.")
    var threads = 1

    @Option(help: "Seconds before counting starts.")
    var warmup: Double = 1

    @Option(help: "Seconds counted.")
    var seconds: Double = 5

    @Option(help: "Access key id to sign with. Default: the emulator's demo pair.")
    var accessKeyId = "AKIDAPPFLOWDDEMO"

    @Option(help: "Secret access key to sign with. Default: the emulator's demo pair.")
    var secretAccessKey = "appflowd-demo-secret-not-real"

    @Option(help: "Region in the signature's scope.")
    var region = "us-east-1"

    func validate() throws {
        guard ["127.0.0.1", "localhost", "::1"].contains(host) || host.hasPrefix("127.") else {
            throw ValidationError("--host must be a loopback address")
        }
        guard (1...65535).contains(port) else { throw ValidationError("--port must be 1...65535") }
        guard (1...4096).contains(connections) else { throw ValidationError("--connections must be 1...4096") }
        guard (1...64).contains(threads) else { throw ValidationError("--threads must be 1...64") }
        guard warmup >= 0, seconds > 0, seconds <= 600 else {
            throw ValidationError("--warmup must be >= 0 and --seconds in (0, 600]")
        }
    }

    func run() async throws {
        let generator = LoadGenerator(settings: .init(
            host: host, port: port, flow: flow, connections: connections, threads: threads,
            warmup: .milliseconds(Int64(warmup * 1000)), duration: .milliseconds(Int64(seconds * 1000)),
            credentials: SigV4Credentials(accessKeyId: accessKeyId, secretAccessKey: secretAccessKey),
            region: region
        ))
        let result = try await generator.run()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(result), as: UTF8.self))
    }
}
