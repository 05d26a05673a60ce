import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a state directory without opening it for writing, for `appflowd status`.
///
/// Safe while a daemon writes: it takes no lock, ignores a torn last line (an append in
/// progress), and sees either the old or the new file across a compaction (an atomic rename).
package enum LedgerReader {
    /// The replayed state; empty when the directory has no ledger yet.
    /// Throws `notFound` when the directory itself does not exist, and `permissionDenied` when
    /// it or its ledger exists but cannot be read (not "no slot has run": that would be a lie).
    package static func read(directory: String, historyLimit: Int = 50) throws -> LedgerState {
        try checkDirectory(directory)
        let path = directory + "/" + LedgerFormat.fileName
        let data: Data?
        do {
            data = try SystemCalls.readFile(path)
        } catch let error as LedgerError where error.errno == EACCES || error.errno == EPERM {
            throw LedgerError(code: .permissionDenied, file: path, message: "permission denied", errno: error.errno)
        }
        guard let data else { return LedgerState() }
        return try LedgerParser(path: path, historyLimit: max(historyLimit, 0)).parse(data).state
    }

    /// Whether a daemon holds the state directory's lock (`ledger.lock`, which `Ledger.open`
    /// holds exclusively for the daemon's life): true when it does, false when nothing holds it
    /// or the directory has no lock file yet, nil when it cannot be told (no permission).
    ///
    /// The probe is a shared, non-blocking flock, released at once: it never waits and never
    /// makes the daemon wait. (A daemon starting in the same microsecond could find the lock
    /// taken and exit, to be restarted by systemd: a window too small to matter for a command
    /// an operator types.)
    package static func isHeld(directory: String) -> Bool? {
        let path = directory + "/" + LedgerFormat.lockFileName
        let fd: Int32
        do {
            fd = try SystemCalls.open(path, O_RDONLY)
        } catch let error as LedgerError {
            return error.errno == ENOENT || error.errno == ENOTDIR ? false : nil
        } catch {
            return nil
        }
        defer { SystemCalls.close(fd) }
        return SystemCalls.probeLock(fd)
    }

    /// `notFound` for a missing directory, `permissionDenied` for one this user cannot enter or list.
    static func checkDirectory(_ directory: String) throws {
        var info = stat()
        guard stat(directory, &info) == 0 else {
            let value = errno
            if value == ENOENT || value == ENOTDIR {
                throw LedgerError(code: .notFound, file: directory, message: "no such state directory")
            }
            if value == EACCES || value == EPERM {
                throw LedgerError(code: .permissionDenied, file: directory, message: "permission denied", errno: value)
            }
            throw SystemCalls.error("stat", directory, errno: value)
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw LedgerError(code: .notFound, file: directory, message: "not a directory")
        }
        guard access(directory, R_OK | X_OK) == 0 else {
            throw LedgerError(code: .permissionDenied, file: directory, message: "permission denied", errno: errno)
        }
    }
}
