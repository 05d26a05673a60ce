import ArgumentParser
import Foundation
import Ledger
import Reports

#if canImport(Glibc)
import Glibc
#endif

/// `--wide`/`-l` and `--no-legend`, for `next` and `status`, as `systemctl list-timers` has them.
struct TableOptions: ParsableArguments {
    @Flag(name: [.customLong("wide"), .customShort("l")], help: "Every column in full, even on a terminal (piped output always is).")
    var wide = false

    @Flag(name: .customLong("no-legend"), help: "Leave out the header and the footer.")
    var noLegend = false

    /// On a terminal: the narrow columns, fitted to its width (`COLUMNS`, else the terminal's,
    /// else 100). Piped, or with `--wide`: everything.
    var layout: TableLayout {
        guard !wide, isatty(STDOUT_FILENO) == 1 else { return TableLayout(width: nil, legend: !noLegend) }
        return TableLayout(width: Self.terminalWidth(), legend: !noLegend)
    }

    static func terminalWidth() -> Int {
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 0 { return columns }
        var size = winsize()
        if withUnsafeMutablePointer(to: &size, { ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), $0) }) == 0, size.ws_col > 0 {
            return Int(size.ws_col)
        }
        return 100
    }
}

/// What `next` and `status` say about the daemon itself: their times come from the job file,
/// and mean nothing while no daemon runs.
enum DaemonPresence {
    /// A line for standard error when no daemon holds the state directory's lock; nil when one
    /// does or when it cannot be told.
    static func notRunningNote(stateDirectory directory: String) -> String? {
        guard LedgerReader.isHeld(directory: directory) == false else { return nil }
        return "appflowd is not running (no process holds \(directory)/ledger.lock): nothing below starts until it runs"
    }
}
