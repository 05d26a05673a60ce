/// Finds where keys and values sit in the TOML source, because TOMLKit's parsed tables carry no
/// positions. It runs only on text TOMLKit accepted, so it can be a lenient lexical scan.
///
/// Paths name array-of-tables entries by index: `job[2].retry.deadline`, `job[0].at[1]`; a table
/// header's own path (`retry`, `job[2]`) maps to the header.
struct SourceLocator {
    struct Entry {
        /// Byte offset of the key (or of the header's `[`).
        var key: Int
        /// Byte offset of the value's first byte (the header's `[` for headers).
        var value: Int
    }

    private let bytes: [UInt8]
    private var pos = 0
    private(set) var entries: [String: Entry] = [:]
    private var arrayCounts: [String: Int] = [:]
    /// Byte offsets where each line starts.
    private(set) var lineStarts: [Int] = [0]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") {
            lineStarts.append(i + 1)
        }
        scanDocument()
    }

    func entry(_ path: String) -> Entry? { entries[path] }

    /// 1-based line and column (in characters) of a byte offset.
    func lineColumn(_ offset: Int) -> (line: Int, column: Int) {
        var lo = 0
        var hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        let start = lineStarts[lo]
        let end = min(max(offset, start), bytes.count)
        let column = String(decoding: bytes[start..<end], as: UTF8.self).count + 1
        return (lo + 1, column)
    }

    // MARK: - Scanning

    private func peek(_ k: Int = 0) -> UInt8? { pos + k < bytes.count ? bytes[pos + k] : nil }

    private mutating func skipSpaces(newlines: Bool) {
        while let b = peek() {
            if b == 0x20 || b == 0x09 || b == 0x0D || (newlines && b == 0x0A) {
                pos += 1
            } else if newlines, b == UInt8(ascii: "#") {
                skipLine()
            } else {
                return
            }
        }
    }

    private mutating func skipLine() {
        while let b = peek(), b != 0x0A { pos += 1 }
    }

    private mutating func scanDocument() {
        var prefix = ""
        while true {
            skipSpaces(newlines: true)
            guard let b = peek() else { return }
            if b == UInt8(ascii: "[") {
                let start = pos
                let isArray = peek(1) == UInt8(ascii: "[")
                pos += isArray ? 2 : 1
                skipSpaces(newlines: false)
                let comps = scanKeyPath()
                prefix = resolve(comps, newArrayEntry: isArray)
                entries[prefix] = Entry(key: start, value: start)
                skipLine()
            } else {
                scanKeyValue(prefix: prefix)
                skipLine()
            }
        }
    }

    /// Maps a header's key components to a path, with the current index of each array of tables.
    private mutating func resolve(_ comps: [String], newArrayEntry: Bool) -> String {
        var path = ""
        for (i, comp) in comps.enumerated() {
            path = path.isEmpty ? comp : path + "." + comp
            if newArrayEntry, i == comps.count - 1 {
                let n = arrayCounts[path, default: -1] + 1
                arrayCounts[path] = n
                path += "[\(n)]"
            } else if let n = arrayCounts[path] {
                path += "[\(n)]"
            }
        }
        return path
    }

    private mutating func scanKeyValue(prefix: String) {
        let keyStart = pos
        let comps = scanKeyPath()
        guard !comps.isEmpty else { pos += 1; return }
        skipSpaces(newlines: false)
        guard peek() == UInt8(ascii: "=") else { return }
        pos += 1
        skipSpaces(newlines: false)
        let path = ([prefix].filter { !$0.isEmpty } + comps).joined(separator: ".")
        entries[path] = Entry(key: keyStart, value: pos)
        scanValue(path: path, depth: 0)
    }

    private mutating func scanKeyPath() -> [String] {
        var comps: [String] = []
        while let b = peek() {
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
                let start = pos
                skipString()
                let raw = bytes[(start + 1)..<max(start + 1, pos - 1)]
                comps.append(String(decoding: raw, as: UTF8.self))
            } else {
                let start = pos
                while let c = peek(), Self.isBareKey(c) { pos += 1 }
                if start == pos { break }
                comps.append(String(decoding: bytes[start..<pos], as: UTF8.self))
            }
            skipSpaces(newlines: false)
            if peek() == UInt8(ascii: ".") {
                pos += 1
                skipSpaces(newlines: false)
            } else {
                break
            }
        }
        return comps
    }

    private static func isBareKey(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2D || c == 0x5F
    }

    private mutating func scanValue(path: String, depth: Int) {
        guard let b = peek(), depth < 300 else { return }
        switch b {
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            skipString()
        case UInt8(ascii: "["):
            pos += 1
            var index = 0
            while true {
                skipSpaces(newlines: true)
                guard let c = peek() else { return }
                if c == UInt8(ascii: "]") { pos += 1; return }
                if c == UInt8(ascii: ",") { pos += 1; continue }
                let elementPath = "\(path)[\(index)]"
                entries[elementPath] = Entry(key: pos, value: pos)
                let before = pos
                scanValue(path: elementPath, depth: depth + 1)
                if pos == before { pos += 1 }
                index += 1
            }
        case UInt8(ascii: "{"):
            pos += 1
            while true {
                skipSpaces(newlines: false)
                guard let c = peek() else { return }
                if c == UInt8(ascii: "}") { pos += 1; return }
                if c == UInt8(ascii: ",") { pos += 1; continue }
                let keyStart = pos
                let comps = scanKeyPath()
                if comps.isEmpty { pos += 1; continue }
                skipSpaces(newlines: false)
                if peek() == UInt8(ascii: "=") { pos += 1 }
                skipSpaces(newlines: false)
                let inner = path + "." + comps.joined(separator: ".")
                entries[inner] = Entry(key: keyStart, value: pos)
                scanValue(path: inner, depth: depth + 1)
            }
        default:
            while let c = peek(), ![0x20, 0x09, 0x0D, 0x0A, UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: "#")].contains(c) {
                pos += 1
            }
        }
    }

    /// Skips a basic, literal or multi-line string starting at `pos`.
    private mutating func skipString() {
        guard let quote = peek() else { return }
        let triple = peek(1) == quote && peek(2) == quote
        pos += triple ? 3 : 1
        while let c = peek() {
            if c == UInt8(ascii: "\\"), quote == UInt8(ascii: "\"") {
                pos += 2
                continue
            }
            if c == quote {
                if !triple { pos += 1; return }
                if peek(1) == quote, peek(2) == quote {
                    pos += 3
                    // A multi-line string may end with up to two extra quotes.
                    while peek() == quote { pos += 1 }
                    return
                }
            }
            if c == 0x0A, !triple { return }
            pos += 1
        }
    }
}
