import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The open files of a ledger: the lock, and `ledger.jsonl` opened for appending.
///
/// Confined to the owning `Ledger`'s serial queue after `open`, which is why it may be
/// `@unchecked Sendable` without a lock of its own.
final class LedgerWriter: @unchecked Sendable {
    let directory: String
    let path: String
    let lockPath: String
    /// Compaction waits until the records after the snapshot take at least this many bytes.
    let compactionMinimumBytes: Int
    private var lockDescriptor: Int32
    private var descriptor: Int32
    /// Bytes in the file, all of them durable.
    private(set) var fileLength: Int
    /// Bytes of the snapshot at the start of the file.
    private(set) var snapshotLength: Int

    var isOpen: Bool { descriptor >= 0 }

    init(
        directory: String, path: String, lockPath: String, lockDescriptor: Int32, descriptor: Int32,
        fileLength: Int, snapshotLength: Int, compactionMinimumBytes: Int
    ) {
        self.directory = directory
        self.path = path
        self.lockPath = lockPath
        self.lockDescriptor = lockDescriptor
        self.descriptor = descriptor
        self.fileLength = fileLength
        self.snapshotLength = snapshotLength
        self.compactionMinimumBytes = compactionMinimumBytes
    }

    deinit {
        close()
    }

    /// Appends the bytes and returns once they are on disk.
    ///
    /// A failed write is cut back off the file, leaving the ledger usable. A failed fdatasync
    /// is not recoverable (Linux may already have dropped the dirty pages and cleared the
    /// error), so the writer reports `poisoned` and the ledger stops accepting appends.
    func append(_ bytes: Data) throws(WriteFailure) {
        guard isOpen else { throw .poisoned(closedError()) }
        do {
            try SystemCalls.writeAll(descriptor, bytes, path)
        } catch {
            do {
                try SystemCalls.truncate(descriptor, to: fileLength, path)
            } catch {
                throw .poisoned(LedgerError.wrapping(error, file: path))
            }
            throw .recoverable(LedgerError.wrapping(error, file: path))
        }
        do {
            try SystemCalls.dataSync(descriptor, path)
        } catch {
            throw .poisoned(LedgerError.wrapping(error, file: path))
        }
        fileLength += bytes.count
    }

    enum WriteFailure: Error {
        case recoverable(LedgerError)
        case poisoned(LedgerError)
    }

    /// Whether the records after the snapshot have grown past 4x the snapshot (and the minimum).
    var wantsCompaction: Bool {
        fileLength - snapshotLength > max(4 * snapshotLength, compactionMinimumBytes)
    }

    /// Replaces the file with a snapshot of `state`: write a temporary file, fsync it, rename
    /// it over the ledger, fsync the directory. A crash at any point leaves either the old file
    /// or the new one, each complete. Later appends go to the new file.
    /// A failure before the rename leaves the old file in use (`recoverable`); a failed
    /// directory fsync after it means the rename may not survive a crash (`poisoned`).
    func compact(to state: LedgerState, createdAt: Double) throws(WriteFailure) {
        guard isOpen else { throw .poisoned(closedError()) }
        do {
            try replaceFile(with: state, createdAt: createdAt)
        } catch {
            throw .recoverable(LedgerError.wrapping(error, file: path))
        }
        do {
            try SystemCalls.syncDirectory(directory)
        } catch {
            throw .poisoned(LedgerError.wrapping(error, file: directory))
        }
    }

    private func replaceFile(with state: LedgerState, createdAt: Double) throws {
        let temporaryPath = directory + "/" + LedgerFormat.temporaryFileName
        let snapshot: Data
        do {
            snapshot = try LedgerFormat.snapshot(of: state, createdAt: createdAt)
        } catch {
            throw LedgerError(code: .io, file: temporaryPath, message: "cannot encode the snapshot: \(error)")
        }
        // A leftover or planted temporary file is removed first: the snapshot is created afresh,
        // exclusively, so it cannot be written through a link someone left in its place.
        try SystemCalls.removeIfPresent(temporaryPath)
        let newDescriptor = try SystemCalls.openRegularFile(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_APPEND)
        do {
            try SystemCalls.writeAll(newDescriptor, snapshot, temporaryPath)
            try SystemCalls.sync(newDescriptor, temporaryPath)
            try SystemCalls.rename(temporaryPath, to: path)
        } catch {
            SystemCalls.close(newDescriptor)
            try? SystemCalls.removeIfPresent(temporaryPath)
            throw LedgerError.wrapping(error, file: temporaryPath)
        }
        // From the rename on, the old descriptor names an unlinked file: switch at once.
        SystemCalls.close(descriptor)
        descriptor = newDescriptor
        fileLength = snapshot.count
        snapshotLength = snapshot.count
    }

    /// Closes the ledger file, then the lock file, which releases the flock.
    func close() {
        if descriptor >= 0 {
            SystemCalls.close(descriptor)
            descriptor = -1
        }
        if lockDescriptor >= 0 {
            SystemCalls.close(lockDescriptor)
            lockDescriptor = -1
        }
    }

    private func closedError() -> LedgerError {
        LedgerError(code: .closed, file: path, message: "the ledger is closed")
    }
}
