import ArgumentParser
import Foundation
import JobFile
import Reports
import Scheduling

/// `appflowd next`: the coming fire times of every job, like `systemctl list-timers`.
struct Next: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "next",
        abstract: "Show the next fire times and client tokens of every job.",
        discussion: """
            Columns: JOB, FLOW, NEXT (local fire time, jitter included), UTC, LEFT (from --from or now), \
            TOKEN. On a terminal, UTC is left out and long names and tokens are shortened to fit \
            (--wide shows everything; piped output always does). Disabled jobs are listed as "disabled". \
            With --json: one object per job in job-file order, {"job", "flow", "next": [{"nominal", \
            "fire", "local", "fireLocal", "clientToken"}]}. Says on standard error when no daemon \
            holds the state directory (appflowd is not running).
            """)

    @Option(name: .long, help: ArgumentHelp("The job file.", valueName: "FILE"))
    var config: String = "/etc/appflowd/jobs.toml"

    @Option(name: .long, help: "How many slots to show per job.")
    var count: Int = 1

    @Option(name: .long, help: ArgumentHelp("Start from this instant instead of now: RFC 3339 or @UNIXSECONDS.", valueName: "TIME"))
    var from: String?

    @Option(name: .customLong("state-dir"), help: ArgumentHelp("The daemon's state directory, to tell whether it runs. Default: $STATE_DIRECTORY, else /var/lib/appflowd.", valueName: "DIR"))
    var stateDir: String?

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    @OptionGroup var table: TableOptions

    func validate() throws {
        guard (1...10_000).contains(count) else {
            throw ValidationError("--count must be from 1 to 10000")
        }
        if let from, Self.parseFrom(from) == nil {
            throw ValidationError("--from must be RFC 3339 (2026-11-26T01:00:00Z) or @UNIXSECONDS, not '\(from)'")
        }
    }

    static func parseFrom(_ text: String) -> Int64? {
        if text.hasPrefix("@") { return Int64(text.dropFirst()) }
        // Require an explicit zone: "now" for a command-line tool is unambiguous only in UTC or with an offset.
        guard let last = text.last, last == "Z" || last == "z" || text.dropFirst(19).contains(where: { $0 == "+" || $0 == "-" }) else {
            return nil
        }
        return try? AtSchedule.parseTime(text, timeZone: TimeZone(identifier: "UTC") ?? .current)
    }

    func run() throws {
        let now = from.flatMap(Self.parseFrom) ?? Int64(Date().timeIntervalSince1970)
        let (jobFile, diagnostics) = JobFileLoader.load(path: config, now: now)
        for diagnostic in diagnostics {
            FileHandle.standardError.write(Data((diagnostic.description + "\n").utf8))
        }
        guard let jobFile else { throw ExitCode(1) }
        let report = NextReport(jobFile: jobFile, from: now, count: count)
        print(json ? report.json() : report.table(layout: table.layout), terminator: "")
        let directory = Run.stateDirectory(explicit: stateDir, environment: ProcessInfo.processInfo.environment)
        if let note = DaemonPresence.notRunningNote(stateDirectory: directory) {
            FileHandle.standardError.write(Data("appflowd next: \(note)\n".utf8))
        }
    }
}
