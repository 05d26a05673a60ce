import AppFlow
import ArgumentParser
import Foundation
import Logging
import Systemd

/// `appflowd start FLOW`: one StartFlow now, with the daemon's client, credentials and retries.
struct Start: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Start one flow run now (StartFlow), with retries.",
        discussion: """
            Credentials, region and endpoint are found as the AWS SDKs find them (AWS_* variables, \
            the systemd credential 'aws', the shared credentials and config files). Transient \
            failures are retried with the same client token, so the flow runs at most once.
            """
    )

    @Argument(help: "The AppFlow flow name.")
    var flow: String

    @Option(help: "Client token (idempotency key). Default: a random one, as the SDKs do.")
    var token: String?

    @Option(help: "AWS region. Default: AWS_REGION, AWS_DEFAULT_REGION, the profile's region.")
    var region: String?

    @Option(help: "AWS profile in the shared files. Default: AWS_PROFILE, else 'default'.")
    var profile: String?

    @Option(name: .customLong("endpoint-url"), help: "Send requests here instead of the AWS endpoint.")
    var endpointURL: String?

    @Option(name: .customLong("max-attempts"), help: "Attempts at most, the first included.")
    var maxAttempts: Int = RetryPolicy().maxAttempts

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup var logFormat: LogFormatOption

    func validate() throws {
        guard maxAttempts >= 1 else { throw ValidationError("--max-attempts must be at least 1") }
        if let token, token.isEmpty || token.count > 256 {
            throw ValidationError("--token must be 1 to 256 characters")
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let clientToken = token ?? UUID().uuidString.lowercased()
        let format = try logFormat.resolved(environment: environment)
        var logger = Logger(label: "appflowd") { ConsoleLogHandler(label: $0, format: format) }
        logger.logLevel = .info
        let client: AppFlowClient
        do {
            let configuration = try AppFlowClient.Configuration.fromEnvironment(
                environment, region: region, endpointURL: endpointURL, profile: profile
            )
            client = try AppFlowClient(configuration: configuration)
        } catch {
            fail(code: "ConfigurationError", message: "\(error)")
        }
        var policy = RetryPolicy()
        policy.maxAttempts = maxAttempts
        let outcome: Result<StartFlowResult, GaveUpError>
        do {
            let (result, _) = try await client.startFlowRetrying(flowName: flow, clientToken: clientToken, policy: policy, logger: logger)
            outcome = .success(result)
        } catch let error as GaveUpError {
            outcome = .failure(error)
        } catch {
            outcome = .failure(GaveUpError(underlying: error, attempts: 1, reason: .notRetryable))
        }
        try? await client.shutdown()
        switch outcome {
        case .success(let result):
            print(render(result, clientToken: clientToken))
        case .failure(let error):
            fail(code: error.code, message: error.message)
        }
    }

    func render(_ result: StartFlowResult, clientToken: String) -> String {
        if json {
            return JSONOutput.object([
                ("flowArn", result.flowArn),
                ("flowStatus", result.flowStatus),
                ("executionId", result.executionId),
                ("clientToken", clientToken),
            ])
        }
        return [
            "flowArn:     \(result.flowArn ?? "-")",
            "flowStatus:  \(result.flowStatus ?? "-")",
            "executionId: \(result.executionId ?? "- (none: the flow is scheduled or event-triggered, StartFlow activated it)")",
            "clientToken: \(clientToken)",
        ].joined(separator: "\n")
    }

    func fail(code: String, message: String) -> Never {
        if json {
            print(JSONOutput.error(code: code, message: message))
        } else {
            FileHandle.standardError.write(Data("error: \(code): \(message)\n".utf8))
        }
        Foundation.exit(1)
    }
}
