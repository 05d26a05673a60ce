#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Primitives

/// The request record: the most recent requests in memory for the admin endpoint, and every
/// request as a JSONL line in a file, written with one `write(2)` per line so that a reader
/// (or a crash) sees whole lines as soon as each request is answered.
struct RequestLog: Sendable {
    private(set) var records: [RequestRecord] = []
    private let limit: Int
    private let file: RecordFile?

    init(limit: Int, file: RecordFile?) {
        self.limit = max(1, limit)
        self.file = file
    }

    mutating func append(_ record: RequestRecord) {
        if records.count >= limit {
            // Dropping a chunk at once keeps appends amortized O(1).
            records.removeFirst(max(1, limit / 4))
        }
        records.append(record)
        guard let file else { return }
        var output = JSONWriter(capacity: 512)
        record.write(to: &output)
        var line = output.bytes
        line.append(UInt8(ascii: "\n"))
        file.write(line)
    }

    mutating func clear() {
        records.removeAll()
    }
}

/// An open record file. Only used under the emulator's state lock.
final class RecordFile: Sendable {
    private let descriptor: Int32

    /// Opens (and truncates) the file: a record describes one emulator run.
    init(path: String) throws(EmulatorConfigurationError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw EmulatorConfigurationError(
                code: "record-file", message: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        descriptor = fd
    }

    func write(_ bytes: [UInt8]) {
        // A full disk must not take the endpoint down; the in-memory record remains.
        _ = FileDescriptor.writeAll(descriptor, bytes)
    }

    func close() {
        _ = Glibc.close(descriptor)
    }
}
