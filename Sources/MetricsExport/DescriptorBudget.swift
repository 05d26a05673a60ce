#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How many connections the metrics listener may hold, so that it never takes the descriptors
/// the scheduler needs: one per StartFlow connection, plus the ledger, the journal, sd_notify,
/// credential refreshes and the textfile. Those are reserved first, out of the process's
/// `RLIMIT_NOFILE` (the unit's `LimitNOFILE=`); the listener gets at most what is left.
package enum DescriptorBudget {
    /// Descriptors kept for everything but StartFlow connections and what is open already:
    /// the ledger and its compaction, the journal, sd_notify, credential and metadata calls,
    /// the textfile and its directory, event-loop wake-ups.
    package static let headroom = 64

    /// `requested`, or fewer when `limit` (the soft `RLIMIT_NOFILE`) minus the descriptors open
    /// now, the scheduler's connections and `headroom` leaves less; never negative.
    package static func metricsConnections(requested: Int, schedulerConnections: Int, openNow: Int, limit: Int) -> Int {
        max(0, min(requested, limit - openNow - schedulerConnections - headroom))
    }

    /// The same for this process now.
    package static func metricsConnections(requested: Int, schedulerConnections: Int) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return requested }
        return metricsConnections(
            requested: requested, schedulerConnections: schedulerConnections, openNow: openDescriptors(),
            limit: Int(clamping: limit.rlim_cur))
    }

    /// Descriptors open in this process (`/proc/self/fd`, less the one reading it).
    static func openDescriptors() -> Int {
        guard let directory = opendir("/proc/self/fd") else { return 0 }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { count += 1 }
        }
        return max(0, count - 1)
    }
}
