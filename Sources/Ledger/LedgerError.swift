/// A ledger problem, naming the file (and line, for a bad line) and what went wrong.
package struct LedgerError: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Code: String, Sendable {
        /// Another process (another appflowd) holds the state directory's lock.
        case locked
        /// A system call failed; `errno` says why.
        case io
        /// A line that is not the torn end of the file cannot be read: the ledger refuses to
        /// guess, rather than silently lose what follows.
        case corrupt
        /// The file was written by a newer appflowd (`"v"` greater than this one understands).
        case unsupportedVersion = "unsupported-version"
        /// The state directory does not exist (reader only).
        case notFound = "not-found"
        /// The state directory or its ledger exists but this user may not read it (reader only).
        case permissionDenied = "permission-denied"
        /// The ledger was closed, or an earlier write failed and it no longer accepts appends.
        case closed
        /// The state directory or a file in it is not what the daemon made: a symbolic link, a
        /// FIFO or another non-file, or a directory that another user owns or can write to.
        case unsafe
    }

    package var code: Code
    /// The file or directory concerned.
    package var file: String
    /// 1-based line number, for `corrupt` and `unsupportedVersion`.
    package var line: Int?
    package var message: String
    /// The C `errno`, for `io` and `locked`.
    package var errno: Int32?

    package init(code: Code, file: String, line: Int? = nil, message: String, errno: Int32? = nil) {
        self.code = code
        self.file = file
        self.line = line
        self.message = message
        self.errno = errno
    }

    /// `FILE[:LINE]: ledger error (CODE): MESSAGE`, like the job file's diagnostics.
    package var description: String {
        let place = line.map { "\(file):\($0)" } ?? file
        return "\(place): ledger error (\(code.rawValue)): \(message)"
    }

    /// `error` itself when it is a `LedgerError`, else an `io` error carrying its description.
    static func wrapping(_ error: any Error, file: String) -> LedgerError {
        if let error = error as? LedgerError { return error }
        return LedgerError(code: .io, file: file, message: String(describing: error))
    }
}
