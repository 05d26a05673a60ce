import Foundation

/// The crash-safe record, in the daemon's state directory, of which slots were sent, when each
/// token was first sent, and what came back.
///
/// One file, `ledger.jsonl`: a snapshot followed by appended records (docs/ledger.md). Appends
/// are durable when they return, and concurrent appends share one write and one fdatasync
/// (group commit). All file I/O after `open` runs on one serial queue, never on the caller's
/// thread, so a slow disk does not block the concurrency pool.
package final class Ledger: Sendable {
    package let directory: String
    package let historyLimit: Int
    let path: String
    private let queue: DispatchQueue
    private let shared: Locked<Shared>
    private let writer: LedgerWriter

    struct Shared {
        var state: LedgerState
        var pending: [PendingAppend] = []
        var flushScheduled = false
        var closed = false
        /// Set when a write could not be made durable: every later append fails with it.
        var failure: LedgerError?
        /// How many write + fdatasync rounds ran (tests check that appends were grouped).
        var commits = 0
        var compactions = 0
    }

    struct PendingAppend {
        var bytes: Data
        var records: [LedgerRecord]
        var continuation: CheckedContinuation<Void, any Error>
    }

    init(directory: String, path: String, historyLimit: Int, state: LedgerState, writer: LedgerWriter) {
        self.directory = directory
        self.path = path
        self.historyLimit = historyLimit
        self.writer = writer
        self.shared = Locked(Shared(state: state))
        self.queue = DispatchQueue(label: "appflowd.ledger")
    }

    /// Appends durably: returns only after the records are on disk (write + fdatasync).
    /// While one commit runs, later callers queue, and the next commit covers all of them.
    /// After it returns, `state()` includes the records. On a throw, none of them was applied.
    package func append(_ records: [LedgerRecord]) async throws {
        guard !records.isEmpty else { return }
        let bytes: Data
        do {
            bytes = try LedgerFormat.encode(records)
        } catch {
            throw LedgerError(code: .io, file: path, message: "cannot encode a record: \(error)")
        }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let refusal: LedgerError? = shared.withLock { shared in
                if let failure = shared.failure { return failure }
                if shared.closed { return LedgerError(code: .closed, file: path, message: "the ledger is closed") }
                shared.pending.append(PendingAppend(bytes: bytes, records: records, continuation: continuation))
                if !shared.flushScheduled {
                    shared.flushScheduled = true
                    // Scheduled under the lock, so that `close()` queues behind it.
                    queue.async { self.flushPending() }
                }
                return nil
            }
            if let refusal { continuation.resume(throwing: refusal) }
        }
    }

    package func append(_ record: LedgerRecord) async throws {
        try await append([record])
    }

    /// The state as replayed at `open`, plus every append that has returned since.
    package func state() -> LedgerState {
        shared.withLock { $0.state }
    }

    /// Rewrites the file as a compact snapshot of `state()` (write a temporary file, fsync,
    /// rename, fsync the directory). Runs automatically when the records after the last snapshot
    /// outgrow it 4 times over (and at least 1 MiB). Waits for a commit in progress.
    package func compact() throws {
        try compact(keepingJobs: nil)
    }

    /// Like `compact()`, but keeps only the named jobs (all when nil): how jobs removed from the
    /// job file are forgotten. Only the daemon knows which jobs still exist, so only it decides.
    package func compact(keepingJobs: Set<String>?) throws {
        try queue.sync {
            let state = try shared.withLock { shared -> LedgerState in
                if let failure = shared.failure { throw failure }
                if shared.closed { throw LedgerError(code: .closed, file: path, message: "the ledger is closed") }
                return shared.state.keeping(keepingJobs)
            }
            try runCompaction(to: state)
        }
    }

    /// Waits for appends already queued, then closes the file and releases the directory lock.
    /// Appends after this throw `closed`.
    package func close() {
        shared.withLock { $0.closed = true }
        queue.sync { writer.close() }
    }

    var commitCount: Int { shared.withLock { $0.commits } }
    var compactionCount: Int { shared.withLock { $0.compactions } }

    // MARK: - On the queue

    /// Commits batches until nobody is waiting: each batch is every append queued so far.
    private func flushPending() {
        while let batch = takeBatch() {
            commit(batch)
        }
    }

    private func takeBatch() -> [PendingAppend]? {
        shared.withLock { shared in
            if shared.pending.isEmpty {
                shared.flushScheduled = false
                return nil
            }
            defer { shared.pending.removeAll(keepingCapacity: true) }
            return shared.pending
        }
    }

    private func commit(_ batch: [PendingAppend]) {
        var bytes = Data()
        bytes.reserveCapacity(batch.reduce(0) { $0 + $1.bytes.count })
        for append in batch { bytes.append(append.bytes) }
        let failure: LedgerError?
        do throws(LedgerWriter.WriteFailure) {
            try writer.append(bytes)
            shared.withLock { shared in
                for append in batch { shared.state.apply(append.records, historyLimit: historyLimit) }
                shared.commits += 1
            }
            failure = nil
        } catch {
            failure = record(error)
        }
        for append in batch {
            if let failure {
                append.continuation.resume(throwing: failure)
            } else {
                append.continuation.resume()
            }
        }
        if failure == nil, writer.wantsCompaction {
            // A failed automatic compaction leaves the log intact; the next commit tries again.
            try? runCompaction(to: state())
        }
    }

    private func runCompaction(to state: LedgerState) throws {
        do throws(LedgerWriter.WriteFailure) {
            try writer.compact(to: state, createdAt: Date().timeIntervalSince1970)
            shared.withLock { shared in
                shared.state = state
                shared.compactions += 1
            }
        } catch {
            throw record(error)
        }
    }

    /// Returns the error to report, remembering it for later appends when it is fatal.
    private func record(_ failure: LedgerWriter.WriteFailure) -> LedgerError {
        switch failure {
        case .recoverable(let error):
            return error
        case .poisoned(let error):
            shared.withLock { shared in
                if shared.failure == nil {
                    var fatal = error
                    fatal.code = .closed
                    fatal.message = "an earlier write could not be made durable, the ledger accepts no more appends: " + error.message
                    shared.failure = fatal
                }
            }
            return error
        }
    }
}
