import ArgumentParser
import Foundation
import JobFile

/// `appflowd check`: validates the job file without calling AWS.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the job file.",
        discussion: """
            Prints "OK: N jobs" and exits 0, or prints every problem as FILE:LINE:COLUMN: error: MESSAGE \
            on standard error and exits 1. Warnings are printed on standard error too but do not fail. \
            Refuses what `appflowd run` and a reload refuse: an enabled job without a region (from the \
            job file, AWS_REGION, AWS_DEFAULT_REGION or the profile), a bad AWS_ENDPOINT_URL, proxy or \
            CA bundle, resolved as the daemon resolves them, so run it with the daemon's environment \
            (the unit's ExecReload= does). Never calls AWS.
            """)

    @Option(name: .long, help: ArgumentHelp("The job file.", valueName: "FILE"))
    var config: String = "/etc/appflowd/jobs.toml"

    func run() throws {
        let now = Int64(Date().timeIntervalSince1970)
        let (jobFile, diagnostics) = Run.load(path: config, environment: ProcessInfo.processInfo.environment, now: now)
        for diagnostic in diagnostics {
            FileHandle.standardError.write(Data((diagnostic.description + "\n").utf8))
        }
        guard let jobFile else {
            let errors = diagnostics.filter { $0.severity == .error }.count
            FileHandle.standardError.write(Data("\(errors) error\(errors == 1 ? "" : "s") in \(config)\n".utf8))
            throw ExitCode(1)
        }
        let n = jobFile.jobs.count
        print("OK: \(n) job\(n == 1 ? "" : "s")")
    }
}
