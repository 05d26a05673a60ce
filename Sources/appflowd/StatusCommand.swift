import ArgumentParser
import Daemon
import Foundation
import JobFile
import Ledger
import Reports

/// `appflowd status`: what ran, read from the state directory (safe while the daemon writes).
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each job's last slot, its outcome and execution id, and its next slot.",
        discussion: """
            Reads the ledger in the state directory without writing it, so it is safe while the daemon \
            runs; it only tests the daemon's lock (a shared, non-blocking flock, released at once). Columns: JOB, FLOW, LAST (the newest slot's fire time), PASSED, \
            OUTCOME (started, activated, succeeded, errored, canceled, failed, skipped, \
            outcome-unknown; pending while a sent slot has no answer; never run), EXECUTION, RECORDS \
            (records processed, known for wait = true jobs), NEXT, LEFT, ERROR. With --job NAME: \
            that job's last --history slots, newest first. --json prints the same as JSON. On a terminal, \
            LAST, RECORDS and NEXT are left out and long cells shortened to fit (--wide shows \
            everything; piped output always does). A state directory that cannot be read is an error \
            (exit 1); when no daemon holds it, standard error says appflowd is not running.
            """)

    @Option(name: .long, help: ArgumentHelp("The job file.", valueName: "FILE"))
    var config: String = "/etc/appflowd/jobs.toml"

    @Option(name: .customLong("state-dir"), help: ArgumentHelp("Where the ledger lives. Default: $STATE_DIRECTORY, else /var/lib/appflowd.", valueName: "DIR"))
    var stateDir: String?

    @Option(name: .long, help: ArgumentHelp("Show this job's last slots.", valueName: "NAME"))
    var job: String?

    @Option(name: .long, help: ArgumentHelp("With --job: how many slots to show.", valueName: "N"))
    var history: Int = 10

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    @OptionGroup var table: TableOptions

    func validate() throws {
        guard (1...10_000).contains(history) else { throw ValidationError("--history must be from 1 to 10000") }
    }

    func run() throws {
        let nowMs = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        let (jobFile, diagnostics) = JobFileLoader.load(path: config, now: nowMs / 1000)
        for diagnostic in diagnostics {
            FileHandle.standardError.write(Data((diagnostic.description + "\n").utf8))
        }
        let directory = Run.stateDirectory(explicit: stateDir, environment: ProcessInfo.processInfo.environment)
        let state: LedgerState
        do {
            state = try LedgerReader.read(directory: directory, historyLimit: job == nil ? 1 : history)
        } catch let error as LedgerError where error.code == .notFound {
            // A daemon that never ran has no state directory yet: every job is "never run".
            Self.warn("state directory \(directory) does not exist; no slot has run yet")
            state = LedgerState()
        } catch let error as LedgerError where error.code == .permissionDenied {
            // Not "never run": what ran cannot be known without the rights to read it.
            Self.warn("cannot read the state directory \(error.file): permission denied: run as root or with sudo")
            throw ExitCode(1)
        } catch {
            Self.warn("cannot read the state directory \(directory): \(error)")
            throw ExitCode(1)
        }
        if jobFile == nil {
            Self.warn("the job file \(config) could not be loaded; showing the ledger only, without next slots")
        }
        let report = StatusReport(jobFile: jobFile, ledger: state, nowMs: nowMs)
        if let job {
            guard let text = json ? report.historyJSON(job: job, count: history) : report.historyTable(job: job, count: history, layout: table.layout) else {
                Self.warn("no job named '\(job)' in the job file or the ledger")
                throw ExitCode(1)
            }
            print(text, terminator: "")
        } else {
            print(json ? report.json() : report.table(layout: table.layout), terminator: "")
        }
        if let note = DaemonPresence.notRunningNote(stateDirectory: directory) { Self.warn(note) }
        // What could be shown was shown; a broken job file is still a configuration error.
        if jobFile == nil { throw ExitCode(1) }
    }

    static func warn(_ message: String) {
        FileHandle.standardError.write(Data("appflowd status: \(message)\n".utf8))
    }
}
