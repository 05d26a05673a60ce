import Foundation
import TOMLKit

/// Reads and validates a job file, reporting every problem at once with its line and column.
package enum JobFileLoader {
    /// Reads what `--config` names: the job file and the `jobs.d/*.toml` beside it, or a
    /// directory (``JobFileSet``). Never throws, crashes or hangs; `jobFile` is nil iff there is an
    /// error diagnostic. `now` (Unix seconds) decides which `at` times are in the past, whether a
    /// schedule still fires and whether a job's `end` has passed.
    package static func load(path: String, now: Int64) -> (jobFile: JobFile?, diagnostics: [Diagnostic]) {
        let (set, problems) = JobFileSet.resolve(config: path)
        guard let set else { return (nil, problems) }
        let (file, diagnostics) = load(set, now: now)
        let all = problems + diagnostics
        return (all.contains { $0.severity == .error } ? nil : file, all)
    }

    /// One file's bytes, or the diagnostic saying why it cannot be read.
    static func read(path: String) -> Result<[UInt8], Diagnostic> {
        func fail(_ message: String) -> Result<[UInt8], Diagnostic> {
            .failure(Diagnostic(file: path, line: 1, column: 1, severity: .error, message: message))
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read (permissions?)" : "does not exist"
            return fail("job file \(reason)")
        }
        defer { try? handle.close() }
        // Read one byte more than the limit so an oversized file is refused without reading it all.
        do {
            return .success(Array(try handle.read(upToCount: JobFileLimits.maxFileBytes + 1) ?? Data()))
        } catch {
            return fail("job file cannot be read: \(error.localizedDescription)")
        }
    }

    package static func parse(_ text: String, fileName: String, now: Int64) -> (jobFile: JobFile?, diagnostics: [Diagnostic]) {
        parse(bytes: Array(text.utf8), fileName: fileName, now: now)
    }

    static func parse(bytes: [UInt8], fileName: String, now: Int64) -> (jobFile: JobFile?, diagnostics: [Diagnostic]) {
        let table: TOMLTable
        switch self.table(bytes: bytes, fileName: fileName) {
        case .success(let parsed): table = parsed
        case .failure(let diagnostic): return (nil, [diagnostic])
        }
        var validator = JobFileValidator(fileName: fileName, locator: SourceLocator(bytes), now: now)
        let jobFile = validator.validate(table)
        let diagnostics = sorted(validator.diagnostics + unusedRoleKeys(table, jobs: jobFile.jobs, fileName: fileName, bytes: bytes, now: now))
        let hasError = diagnostics.contains { $0.severity == .error }
        return (hasError ? nil : jobFile, diagnostics)
    }

    /// The warning for `external_id` / `role_session_name` at the top when no job assumes a role.
    static func unusedRoleKeys(_ table: TOMLTable, jobs: [Job], fileName: String, bytes: [UInt8], now: Int64) -> [Diagnostic] {
        guard ["external_id", "role_session_name"].contains(where: { !(table[$0]?.string ?? "").isEmpty }) else { return [] }
        // As written, too: a job whose role is refused still names one.
        let tables = [table] + (table["job"]?.array?.compactMap(\.table) ?? [])
        let named = tables.contains { !($0["role_arn"]?.string ?? "").isEmpty }
        guard !named, !jobs.contains(where: { $0.role != nil }) else { return [] }
        var check = JobFileValidator(fileName: fileName, locator: SourceLocator(bytes), now: now)
        check.warnUnusedRoleKeys(table)
        return check.diagnostics
    }

    static func sorted(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        diagnostics.sorted { ($0.line, $0.column) < ($1.line, $1.column) }
    }

    /// The TOML table of one file, after the checks that keep bad bytes away from TOMLKit.
    static func table(bytes: [UInt8], fileName: String) -> Result<TOMLTable, Diagnostic> {
        func fail(_ message: String, at offset: Int = 0) -> Result<TOMLTable, Diagnostic> {
            let (line, column) = position(of: offset, in: bytes)
            return .failure(Diagnostic(file: fileName, line: line, column: column, severity: .error, message: message))
        }
        if bytes.count > JobFileLimits.maxFileBytes {
            return fail("job file is larger than \(JobFileLimits.maxFileBytes >> 20) MiB")
        }
        if let bad = firstInvalidUTF8(bytes) {
            return fail("job file is not valid UTF-8", at: bad)
        }
        // TOMLKit hands the text to C as a NUL-terminated string: a NUL would silently cut it short.
        if let nul = bytes.firstIndex(of: 0) {
            return fail("NUL character is not allowed in TOML", at: nul)
        }
        if let (offset, message) = crashGuard(bytes) {
            return fail(message, at: offset)
        }
        let text = String(decoding: bytes, as: UTF8.self)
        do {
            // toml++ bounds nesting itself (TOML_MAX_NESTED_VALUES = 256), so deep input is an error, not a crash.
            return .success(try TOMLTable(string: text))
        } catch let error as TOMLParseError {
            return .failure(Diagnostic(
                file: fileName, line: max(1, error.source.begin.line), column: max(1, error.source.begin.column),
                severity: .error, message: "TOML syntax: \(error.description)"))
        } catch {
            return fail("TOML syntax: \(error)")
        }
    }

    /// Input that toml++ 3 (inside TOMLKit 0.6.0) cannot survive, found by testing: a line starting
    /// with `[[[`, or with `[` or `[[` whose key does not start with a bare-key character, a quote
    /// or `]` (`[#`, `[=`, `[.`, `[[ [`, a lone `[`; found by fuzzing), trips an assertion in `parse_key`
    /// (abort), and a key with tens of thousands of dotted parts overflows the stack. All are
    /// invalid or absurd TOML (or, inside a multi-line array, a nested array no job key takes), so
    /// refuse them before parsing.
    static let maxKeyParts = 64

    static func crashGuard(_ bytes: [UInt8]) -> (Int, String)? {
        var i = 0
        let n = bytes.count
        while i < n {
            var start = i
            while start < n, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
            var end = start
            while end < n, bytes[end] != 0x0A { end += 1 }
            if end - start >= 3, bytes[start] == 0x5B, bytes[start + 1] == 0x5B, bytes[start + 2] == 0x5B {
                return (start, "TOML syntax: invalid table header '[[['")
            }
            if start < end, bytes[start] == 0x5B {
                var key = start + 1
                if key < end, bytes[key] == 0x5B { key += 1 }
                while key < end, bytes[key] == 0x20 || bytes[key] == 0x09 { key += 1 }
                if key >= end || !startsKey(bytes[key]) {
                    return (key, "TOML syntax: invalid table header: expected a key after '['")
                }
            }
            // Dots in the key part: a header up to ']', or a key up to '='.
            let stop: UInt8 = start < n && bytes[start] == 0x5B ? 0x5D : 0x3D
            var dots = 0
            var k = start
            while k < end, bytes[k] != stop {
                if bytes[k] == 0x2E { dots += 1 }
                k += 1
            }
            if dots >= maxKeyParts {
                return (start, "key has more than \(maxKeyParts) dotted parts")
            }
            i = end + 1
        }
        return nil
    }

    /// What may start the key of a header (after `[` or `[[` and blanks) without tripping toml++:
    /// a bare-key character, a quote, or `]` (an empty header, which toml++ reports).
    static func startsKey(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"),
             UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "]"):
            return true
        default:
            return false
        }
    }

    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x80 { i += 1; continue }
            let length: Int
            var minNext: UInt8 = 0x80
            var maxNext: UInt8 = 0xBF
            switch b {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; minNext = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; maxNext = 0x9F
            case 0xF0: length = 4; minNext = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; maxNext = 0x8F
            default: return i
            }
            guard i + length <= n else { return i }
            if bytes[i + 1] < minNext || bytes[i + 1] > maxNext { return i }
            for k in 2..<max(2, length) where bytes[i + k] & 0xC0 != 0x80 { return i }
            i += length
        }
        return nil
    }

    /// Line and column of a byte offset, for problems found before the locator exists.
    static func position(of offset: Int, in bytes: [UInt8]) -> (Int, Int) {
        var line = 1
        var lineStart = 0
        for i in 0..<min(offset, bytes.count) where bytes[i] == 0x0A {
            line += 1
            lineStart = i + 1
        }
        // Count characters only over valid text before the offset.
        let column = String(decoding: bytes[lineStart..<min(offset, bytes.count)], as: UTF8.self).count + 1
        return (line, column)
    }
}

/// A file that cannot be read or parsed travels as the failure of a `Result`.
extension Diagnostic: Error {}
