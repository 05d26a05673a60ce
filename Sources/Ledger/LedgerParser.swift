import Foundation

/// Reads a ledger file's bytes back into a `LedgerState`, deciding what a crash may have left.
///
/// A crash can only damage what was never acknowledged: bytes after the last fdatasync, at
/// the end of the file. So a torn end (a last line without its newline, or unreadable lines
/// with nothing readable after them) is ignored. An unreadable line followed by readable ones
/// is damage to acknowledged data, and is an error naming the file and line.
struct LedgerParser {
    struct Result {
        var state: LedgerState
        /// Bytes up to the end of the last good line: where a writer truncates a torn end.
        var validLength: Int
        /// Whether the file starts with a valid header; false for an empty (new) file.
        var hasHeader: Bool
        /// Bytes of the last snapshot (header and job lines).
        var snapshotLength: Int
        /// How many record lines follow the snapshot.
        var recordCount: Int
    }

    var path: String
    var historyLimit: Int

    func parse(_ data: Data) throws -> Result {
        var result = Result(state: LedgerState(), validLength: 0, hasHeader: false, snapshotLength: 0, recordCount: 0)
        let decoder = JSONDecoder()
        var firstBad: (line: Int, reason: String)?
        var lineNumber = 0
        var inSnapshot = true
        let lineEnds = Self.newlineOffsets(in: data)
        var start = 0
        // A final segment without its newline is a torn write: it is never read.
        for end in lineEnds {
            lineNumber += 1
            let bytes = data.subdata(in: data.startIndex + start..<data.startIndex + end)
            start = end + 1
            let line: LedgerLine
            do {
                line = try decoder.decode(LedgerLine.self, from: bytes)
            } catch let mismatch as LedgerFormat.VersionMismatch {
                throw LedgerError(
                    code: .unsupportedVersion, file: path, line: lineNumber,
                    message: "format version \(mismatch.found) is newer than this appflowd understands (\(LedgerFormat.version))")
            } catch {
                if firstBad == nil { firstBad = (lineNumber, Self.reason(error)) }
                continue
            }
            if let bad = firstBad {
                throw LedgerError(
                    code: .corrupt, file: path, line: bad.line,
                    message: "unreadable line (\(bad.reason)) with readable lines after it (line \(lineNumber)); "
                        + "refusing to guess: repair or remove that line")
            }
            try apply(line, number: lineNumber, inSnapshot: &inSnapshot, to: &result)
            result.validLength = start
            if inSnapshot { result.snapshotLength = result.validLength }
        }
        if result.validLength == 0, !data.isEmpty, !Self.isTornHeader(data) {
            // Not a torn end: nothing in it was ever an appflowd ledger's, or all of it was
            // damaged. Cutting it would silently forget every slot sent.
            throw LedgerError(
                code: .corrupt, file: path, line: firstBad?.line,
                message: "no readable line in \(data.count) bytes (\(firstBad?.reason ?? "no complete line")); "
                    + "refusing to empty it: restore it, or move it away to start with an empty ledger")
        }
        return result
    }

    /// A file created but whose header line was cut short by a crash (or never reached the
    /// disk, leaving zeros): no complete line, and the start of a JSON object or only zeros.
    /// The only torn end that leaves no readable line.
    static func isTornHeader(_ data: Data) -> Bool {
        guard !data.contains(LedgerFormat.newline) else { return false }
        return data.first == UInt8(ascii: "{") || data.allSatisfy { $0 == 0 }
    }

    /// The offset of every newline, found with memchr: a generic byte-by-byte search over
    /// `Data` is the slowest part of replaying a large file in a debug build.
    static func newlineOffsets(in data: Data) -> [Int] {
        data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) -> [Int] in
            guard let base = buffer.baseAddress else { return [] }
            var offsets: [Int] = []
            var position = 0
            while position < buffer.count,
                let found = memchr(base + position, Int32(LedgerFormat.newline), buffer.count - position)
            {
                let offset = base.distance(to: UnsafeRawPointer(found))
                offsets.append(offset)
                position = offset + 1
            }
            return offsets
        }
    }

    private func apply(_ line: LedgerLine, number: Int, inSnapshot: inout Bool, to result: inout Result) throws {
        switch line {
        case .header(let header):
            guard number == 1 else { throw corrupt(number, "a header line after line 1") }
            guard header.format == LedgerFormat.formatName else {
                throw corrupt(number, "not an appflowd ledger (format \"\(header.format)\")")
            }
            result.hasHeader = true
        case .job(let job):
            guard result.hasHeader, inSnapshot else { throw corrupt(number, "a snapshot job line outside the snapshot") }
            guard result.state.jobs[job.job] == nil else { throw corrupt(number, "job \"\(job.job)\" twice in the snapshot") }
            result.state.jobs[job.job] = job.jobLedger(historyLimit: historyLimit)
        case .record(let record):
            guard result.hasHeader else { throw corrupt(number, "a record before the header line") }
            inSnapshot = false
            result.recordCount += 1
            result.state.apply(record, historyLimit: historyLimit)
        }
    }

    private func corrupt(_ line: Int, _ message: String) -> LedgerError {
        LedgerError(code: .corrupt, file: path, line: line, message: message)
    }

    private static func reason(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not JSON" : "bad \(keyPath(context.codingPath))"
        case DecodingError.keyNotFound(let key, _):
            return "missing \"\(key.stringValue)\""
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "bad \(keyPath(context.codingPath))"
        default:
            return "not a ledger line"
        }
    }

    private static func keyPath(_ path: [any CodingKey]) -> String {
        "\"" + path.map(\.stringValue).joined(separator: ".") + "\""
    }
}
