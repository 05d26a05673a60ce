import AppFlow
import ArgumentParser
import Daemon
import Foundation
import JobFile
import Logging
import Reports
import Systemd

/// `appflowd check`: validates the job file; with `--aws`, asks AppFlow about every enabled
/// job's flow (DescribeFlow). Without `--aws` nothing leaves the machine.
struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the job file; with --aws, ask AppFlow whether each job's flow can be started.",
        discussion: """
            Prints "OK: N jobs" and exits 0, or prints every problem as FILE:LINE:COLUMN: error: MESSAGE \
            on standard error and exits 1. Warnings are printed on standard error too but do not fail. \
            Refuses what `appflowd run` and a reload refuse: an enabled job without a region (from the \
            job file, AWS_REGION, AWS_DEFAULT_REGION or the profile), a bad AWS_ENDPOINT_URL, proxy or \
            CA bundle, resolved as the daemon resolves them, so run it with the daemon's environment \
            (the unit's ExecReload= does). Calls AWS only with --aws.

            With --aws, a valid file is followed by DescribeFlow for each enabled job's flow, in the \
            job's region with the credentials its StartFlow would use (the daemon's, or its role_arn's) \
            (8 calls at a time, one per flow, region and role, retried as StartFlow is), and a table: JOB, FLOW, REGION, TRIGGER, STATUS, VERDICT. \
            Verdicts: "ok: starts a run" (an Active on-demand flow); "warning: Scheduled flow: \
            StartFlow activates it, no run" (scheduled or event flows, Draft and Suspended ones \
            included); "error: ..." for a flow not found, Deleted, Deprecated or Errored, an on-demand \
            flow that is not Active, access denied (naming the permission the answer names, else \
            appflow:DescribeFlow) or any failed call. Then "OK: N jobs; AWS: ..." (exit 0, warnings \
            allowed) or "FAILED: N jobs; AWS: ..." (exit 1). --json prints one object per enabled job: \
            {"job", "flow", "region", "flowArn", "triggerType", "flowStatus", "flowStatusMessage", \
            "severity", "verdict", "errorCode", "message", "missingPermission"}.
            """)

    @Option(name: .long, help: ArgumentHelp("The job file.", valueName: "FILE"))
    var config: String = "/etc/appflowd/jobs.toml"

    @Flag(name: .long, help: "Also ask AppFlow (DescribeFlow) about every enabled job's flow.")
    var aws = false

    @Flag(name: .long, help: "With --aws: print JSON.")
    var json = false

    @OptionGroup var table: TableOptions

    func validate() throws {
        if !aws, json || table.wide || table.noLegend {
            throw ValidationError("--json, --wide and --no-legend go with --aws")
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let now = Int64(Date().timeIntervalSince1970)
        let (jobFile, diagnostics) = Run.load(path: config, environment: environment, now: now)
        for diagnostic in diagnostics {
            FileHandle.standardError.write(Data((diagnostic.description + "\n").utf8))
        }
        guard let jobFile else {
            let errors = diagnostics.filter { $0.severity == .error }.count
            FileHandle.standardError.write(Data("\(errors) error\(errors == 1 ? "" : "s") in \(config)\n".utf8))
            throw ExitCode(1)
        }
        guard aws else {
            let n = jobFile.jobs.count
            print("OK: \(n) job\(n == 1 ? "" : "s")")
            return
        }
        var logger = Logger(label: "appflowd") { ConsoleLogHandler(label: $0, format: .text) }
        logger.logLevel = .warning
        CredentialFileAudit.logWarnings(environment: environment, logger: logger)
        // Failed calls are in the report: the clients' own log (credential refreshes) would repeat them.
        var quiet = logger
        quiet.logLevel = .critical
        let clients = RegionalClients(environment: environment, maxConnections: 8, logger: quiet)
        // Credentials resolved once, first: without any, one line says so instead of one error per job.
        let setup = await clients.setup(targets: ClientSetup.targets(of: jobFile))
        if let problem = setup.credentialProblem {
            await clients.shutdown()
            FileHandle.standardError.write(Data("appflowd check: no usable AWS credentials: \(problem)\n".utf8))
            throw ExitCode(1)
        }
        let report = await Self.askAWS(jobFile: jobFile, clients: clients)
        await clients.shutdown()
        print(json ? report.json() : report.table(layout: table.layout), terminator: "")
        if report.severity == .error { throw ExitCode(1) }
    }

    /// DescribeFlow for every enabled job, with the clients `run` would build.
    static func askAWS(jobFile: JobFile, clients: any FlowDescriber) async -> FlowCheckReport {
        let clock = DispatchWallClock()
        let check = FlowCheck(describer: clients, concurrency: 8, nowMs: clock.nowMs, onRetry: { job, region, attempt, failure, after in
            let line = "appflowd check: DescribeFlow \(job.flow) in \(region): \(failure.code), retrying in "
                + "\(after.milliseconds) ms (attempt \(attempt))\n"
            FileHandle.standardError.write(Data(line.utf8))
        })
        let answers = await check.run(jobs: jobFile.jobs)
        let rows = answers.map { answer in
            let reported: FlowCheckReport.Answer = switch answer.result {
            case .success(let flow):
                .described(.init(flowArn: flow.flowArn, triggerType: flow.triggerType, flowStatus: flow.flowStatus,
                                 flowStatusMessage: flow.flowStatusMessage))
            case .failure(let failure): .failed(failure)
            }
            return FlowCheckReport.Row(job: answer.job.name, flow: answer.job.flow, region: answer.region, answer: reported)
        }
        return FlowCheckReport(rows: rows, jobCount: jobFile.jobs.count)
    }
}
