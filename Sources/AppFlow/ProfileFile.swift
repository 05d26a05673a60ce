import Foundation

/// An AWS shared `credentials` or `config` file, read as the SDKs read it: `[section]` headers,
/// `key = value` lines, `#` and `;` comment lines, and indented sub-settings (kept as one
/// `key.sub` entry) under a key with an empty value.
package struct ProfileFile: Sendable, Equatable {
    package enum Kind: Sendable { case credentials, config }

    /// Profile name -> settings. In a config file `[profile x]` is stored as `x`, `[default]` as `default`;
    /// other section kinds (`[sso-session x]`, `[services x]`) keep their full header.
    package var profiles: [String: [String: String]]
    package var path: String

    /// A malformed line. Names the file and line, never the line's text (it may hold a secret).
    package struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        package var path: String
        package var line: Int
        package var problem: String
        package var description: String { "\(path):\(line): \(problem)" }
    }

    package init(parsing text: String, path: String, kind: Kind) throws(ParseError) {
        self.path = path
        profiles = [:]
        var current: String?
        var parentKey: String?
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine[...]
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            if trimmed.hasPrefix("[") {
                guard let close = trimmed.firstIndex(of: "]") else {
                    throw ParseError(path: path, line: lineNumber, problem: "section header without ']'")
                }
                let name = trimmed[trimmed.index(after: trimmed.startIndex)..<close].trimmingCharacters(in: .whitespaces)
                current = Self.profileName(fromHeader: name, kind: kind)
                parentKey = nil
                if let current, profiles[current] == nil { profiles[current] = [:] }
                continue
            }
            let indented = line.first == " " || line.first == "\t"
            guard let equals = trimmed.firstIndex(of: "=") else {
                throw ParseError(path: path, line: lineNumber, problem: "expected 'key = value' or a [section]")
            }
            guard let section = current else {
                throw ParseError(path: path, line: lineNumber, problem: "setting outside any [section]")
            }
            let key = trimmed[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if key.isEmpty {
                throw ParseError(path: path, line: lineNumber, problem: "setting without a name")
            }
            if indented, let parent = parentKey {
                profiles[section]?["\(parent).\(key)"] = value
            } else {
                profiles[section]?[key] = value
                parentKey = value.isEmpty ? key : nil
            }
        }
    }

    /// Reads a file; nil when it does not exist. Other read failures are errors.
    package static func load(path: String, kind: Kind) throws(ParseError) -> ProfileFile? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) ?? readThroughHandle(path) else {
            throw ParseError(path: path, line: 0, problem: "cannot be read (permissions?)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ParseError(path: path, line: 0, problem: "is not UTF-8 text")
        }
        return try ProfileFile(parsing: text, path: path, kind: kind)
    }

    /// Foundation's `contents(atPath:)` answers nil for a character device such as `/dev/null`
    /// (`AWS_CONFIG_FILE=/dev/null` is the usual way to say "no config file"): read it as a stream.
    private static func readThroughHandle(_ path: String) -> Data? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        do {
            return try handle.readToEnd() ?? Data()
        } catch {
            return nil
        }
    }

    static func profileName(fromHeader header: String, kind: Kind) -> String? {
        switch kind {
        case .credentials:
            return header
        case .config:
            if header == "default" { return "default" }
            let parts = header.split(separator: " ", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, parts[0] == "profile" { return parts[1] }
            return header
        }
    }
}
