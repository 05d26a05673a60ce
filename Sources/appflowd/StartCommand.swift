import Scheduling
import AppFlow
import ArgumentParser
import Daemon
import Foundation
import JobFile
import Logging
import Scheduler
import Systemd

/// `appflowd start FLOW`: one StartFlow now, with the daemon's client, credentials and retries.
struct Start: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Start one flow run now (StartFlow), with retries.",
        discussion: """
            Credentials, region and endpoint are found as the AWS SDKs find them (AWS_* variables, \
            the systemd credential 'aws', the shared credentials and config files); with \
            --role-arn, the call is made as that role (STS AssumeRole, signed with those \
            credentials). Transient failures are retried with the same client token, so the flow \
            runs at most once.
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

    @Option(name: .customLong("role-arn"), help: "Assume this IAM role (STS AssumeRole, signed with the credentials found) for the call.")
    var roleArn: String?

    @Option(name: .customLong("external-id"), help: "The external ID the role's trust policy asks for (with --role-arn).")
    var externalId: String?

    @Option(name: .customLong("role-session-name"), help: "The role session's name (with --role-arn). Default: appflowd-HOSTNAME.")
    var roleSessionName: String?

    @Option(name: .customLong("endpoint-url"), help: "Send requests here instead of the AWS endpoint.")
    var endpointURL: String?

    @Option(name: .customLong("max-attempts"), help: "Attempts at most, the first included.")
    var maxAttempts: Int = RetrySettings().maxAttempts

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup var logFormat: LogFormatOption

    func validate() throws {
        guard maxAttempts >= 1 else { throw ValidationError("--max-attempts must be at least 1") }
        if let token, token.isEmpty || token.count > 256 {
            throw ValidationError("--token must be 1 to 256 characters")
        }
        if let roleArn, let problem = AssumedRole.arnProblem(roleArn) { throw ValidationError("--role-arn: \(problem)") }
        if roleArn == nil, externalId != nil || roleSessionName != nil {
            throw ValidationError("--external-id and --role-session-name go with --role-arn")
        }
        if let externalId, let problem = AssumedRole.externalIdProblem(externalId) {
            throw ValidationError("--external-id: " + problem.replacingOccurrences(of: "'external_id' ", with: ""))
        }
        if let roleSessionName, let problem = AssumedRole.sessionNameProblem(roleSessionName) {
            throw ValidationError("--role-session-name: " + problem.replacingOccurrences(of: "'role_session_name' ", with: ""))
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let clientToken = token ?? UUID().uuidString.lowercased()
        let format = try logFormat.resolved(environment: environment)
        var logger = Logger(label: "appflowd") { ConsoleLogHandler(label: $0, format: format) }
        logger.logLevel = .info
        CredentialFileAudit.logWarnings(environment: environment, profile: profile, logger: logger)
        let client: AppFlowClient
        do {
            var configuration = try AppFlowClient.Configuration.fromEnvironment(
                environment, region: region, endpointURL: endpointURL, profile: profile
            )
            if let roleArn {
                // The daemon's way: the role's credentials from STS, signed with those the chain found.
                configuration.assumeRole(arn: roleArn, externalId: externalId, sessionName: roleSessionName, origin: "--role-arn", environment: environment)
            }
            client = try AppFlowClient(configuration: configuration)
        } catch {
            fail(code: "ConfigurationError", message: "\(error)")
        }
        let outcome = await startRetrying(client, clientToken: clientToken, logger: logger)
        try? await client.shutdown()
        switch outcome {
        case .success(let result):
            print(render(result, clientToken: clientToken))
        case .failure(let failure):
            fail(code: failure.code, message: failure.message)
        }
    }

    /// The daemon's retry path: the same `SlotStateMachine` decides each attempt.
    func startRetrying(_ client: AppFlowClient, clientToken: String, logger: Logger) async -> Result<StartFlowResult, CallFailure> {
        var retry = RetrySettings()
        retry.maxAttempts = maxAttempts
        let clock = DispatchWallClock()
        var machine = SlotStateMachine(retry: retry, wait: false, tokenFirstSentMs: clock.nowMs())
        var action = machine.admit(nowMs: clock.nowMs())
        var answer: StartFlowResult?
        while true {
            switch action {
            case .send:
                do {
                    let result = try await client.startFlow(flowName: flow, clientToken: clientToken)
                    answer = result
                    action = machine.startSucceeded(StartAnswer(result))
                } catch {
                    action = machine.startFailed(CallFailure(error), nowMs: clock.nowMs(), random: Double.random(in: 0..<1))
                }
            case .retry(let after, let attempt, let failure):
                logger.warning("retrying", metadata: [
                    "event": "retrying", "flow_name": "\(flow)", "client_token": "\(clientToken)",
                    "attempt": "\(attempt)", "error_code": "\(failure.code)", "error": "\(failure.message)",
                    "wait_ms": "\(after.milliseconds)",
                ])
                do {
                    try await Task.sleep(for: after)
                } catch {
                    return .failure(CallFailure(code: "Cancelled", message: "interrupted", retryable: false))
                }
                machine.backoffEnded()
                action = machine.admit(nowMs: clock.nowMs())
            case .record(let outcome):
                if let answer, outcome.outcome == .started || outcome.outcome == .activated { return .success(answer) }
                return .failure(CallFailure(code: outcome.errorCode ?? "Error", message: outcome.message ?? "", retryable: false))
            case .poll:
                return .failure(CallFailure(code: "Internal", message: "unexpected poll", retryable: false))
            }
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
