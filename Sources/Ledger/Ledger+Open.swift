import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension Ledger {
    /// Opens the ledger in `directory` (creating it 0700, and its files 0600, when missing)
    /// and replays it. Takes an exclusive flock on `ledger.lock`, so that two daemons cannot
    /// share one state directory. A torn end left by a crash is cut off; a damaged line before
    /// the end, or a file with no readable line, is an error naming the file (and line).
    /// The directory must be the daemon's user's and writable by nobody else, and its files
    /// regular files (never followed through a symbolic link): else `unsafe`.
    package static func open(directory: String, historyLimit: Int = 50) throws -> (Ledger, LedgerState) {
        try open(directory: directory, historyLimit: historyLimit, compactionMinimumBytes: 1 << 20)
    }

    static func open(directory: String, historyLimit: Int, compactionMinimumBytes: Int) throws -> (Ledger, LedgerState) {
        try SystemCalls.makeDirectory(directory)
        try SystemCalls.checkDirectoryIsPrivate(directory)
        let lockPath = directory + "/" + LedgerFormat.lockFileName
        let path = directory + "/" + LedgerFormat.fileName
        let lockDescriptor = try SystemCalls.openRegularFile(lockPath, O_RDWR | O_CREAT)
        var descriptor: Int32 = -1
        do {
            try SystemCalls.lockExclusively(lockDescriptor, lockPath, directory: directory)
            // A temporary file is a compaction that never reached its rename: the ledger is intact.
            try SystemCalls.removeIfPresent(directory + "/" + LedgerFormat.temporaryFileName)
            let existed = SystemCalls.fileExists(path)
            descriptor = try SystemCalls.openRegularFile(path, O_RDWR | O_CREAT | O_APPEND)
            if !existed { try SystemCalls.syncDirectory(directory) }
            let data = try SystemCalls.readAll(descriptor, path)
            let parsed = try LedgerParser(path: path, historyLimit: historyLimit).parse(data)
            var length = parsed.validLength
            var snapshotLength = parsed.snapshotLength
            if length < data.count {
                try SystemCalls.truncate(descriptor, to: length, path)
                try SystemCalls.dataSync(descriptor, path)
            }
            if !parsed.hasHeader {
                let header = try LedgerFormat.snapshot(of: LedgerState(), createdAt: Date().timeIntervalSince1970)
                try SystemCalls.writeAll(descriptor, header, path)
                try SystemCalls.dataSync(descriptor, path)
                length = header.count
                snapshotLength = header.count
            }
            let writer = LedgerWriter(
                directory: directory, path: path, lockPath: lockPath, lockDescriptor: lockDescriptor,
                descriptor: descriptor, fileLength: length, snapshotLength: snapshotLength,
                compactionMinimumBytes: compactionMinimumBytes)
            let ledger = Ledger(
                directory: directory, path: path, historyLimit: max(historyLimit, 0), state: parsed.state, writer: writer)
            if writer.wantsCompaction {
                // Best effort: the log as it is stays valid if this fails.
                try? ledger.compact()
            }
            return (ledger, ledger.state())
        } catch {
            if descriptor >= 0 { SystemCalls.close(descriptor) }
            SystemCalls.close(lockDescriptor)
            throw error
        }
    }
}
