import Foundation

/// Reads a state directory without opening it for writing, for `appflowd status`.
///
/// Safe while a daemon writes: it takes no lock, ignores a torn last line (an append in
/// progress), and sees either the old or the new file across a compaction (an atomic rename).
package enum LedgerReader {
    /// The replayed state; empty when the directory has no ledger yet.
    /// Throws `notFound` when the directory itself does not exist.
    package static func read(directory: String, historyLimit: Int = 50) throws -> LedgerState {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw LedgerError(code: .notFound, file: directory, message: "no such state directory")
        }
        let path = directory + "/" + LedgerFormat.fileName
        guard let data = try SystemCalls.readFile(path) else { return LedgerState() }
        return try LedgerParser(path: path, historyLimit: max(historyLimit, 0)).parse(data).state
    }
}
