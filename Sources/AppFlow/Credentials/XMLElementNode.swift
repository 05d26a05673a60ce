/// An XML element with its text and child elements: just enough XML for the AWS query
/// protocol's answers (STS). Attributes are skipped, namespace prefixes dropped, the five
/// predefined entities and character references decoded, CDATA kept verbatim; a DOCTYPE is
/// refused so no custom entity can ever be expanded.
package struct XMLElementNode: Sendable, Equatable {
    package var name: String
    package var text: String
    package var children: [XMLElementNode]

    /// Malformed XML. Says where, never quotes the document (it may carry credentials).
    package struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        package var offset: Int
        package var problem: String
        package var description: String { "malformed XML at byte \(offset): \(problem)" }
    }

    package func child(_ name: String) -> XMLElementNode? {
        children.first { $0.name == name }
    }

    /// The element reached by following child names, e.g. `path("AssumeRoleResult", "Credentials")`.
    package func path(_ names: String...) -> XMLElementNode? {
        var node: XMLElementNode? = self
        for name in names { node = node?.child(name) }
        return node
    }

    /// Parses a document and returns its root element.
    package static func parse(_ bytes: [UInt8]) throws(ParseError) -> XMLElementNode {
        var reader = Reader(bytes: bytes)
        return try reader.document()
    }

    private struct Open {
        var name: String
        var text: [UInt8] = []
        var children: [XMLElementNode] = []
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0
        var stack: [Open] = []
        var root: XMLElementNode?

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func document() throws(ParseError) -> XMLElementNode {
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "<") {
                    try markup()
                } else {
                    if stack.isEmpty {
                        guard Self.isSpace(bytes[index]) else { throw fail("text outside the root element") }
                    } else {
                        stack[stack.count - 1].text.append(bytes[index])
                    }
                    index += 1
                }
            }
            guard stack.isEmpty, let root else { throw fail("document ends inside an element or has no element") }
            return root
        }

        mutating func markup() throws(ParseError) {
            if starts(with: "<?") {
                try skip(past: "?>")
            } else if starts(with: "<!--") {
                try skip(past: "-->")
            } else if starts(with: "<![CDATA[") {
                guard !stack.isEmpty else { throw fail("CDATA outside the root element") }
                let start = index + 9
                try skip(past: "]]>")
                // CDATA is literal: escape '&' so entity decoding at the close leaves it intact.
                for byte in bytes[start..<(index - 3)] {
                    if byte == UInt8(ascii: "&") {
                        stack[stack.count - 1].text += Array("&amp;".utf8)
                    } else {
                        stack[stack.count - 1].text.append(byte)
                    }
                }
            } else if starts(with: "<!") {
                throw fail("DOCTYPE and declarations are not accepted")
            } else if starts(with: "</") {
                index += 2
                let name = readName()
                try skip(past: ">")
                guard let open = stack.popLast(), open.name == name else { throw fail("unexpected closing tag") }
                try close(open)
            } else {
                index += 1
                let name = readName()
                guard !name.isEmpty else { throw fail("tag without a name") }
                guard root == nil else { throw fail("a second root element") }
                var quote: UInt8?
                while index < bytes.count {
                    let byte = bytes[index]
                    if let open = quote {
                        if byte == open { quote = nil }
                    } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                        quote = byte
                    } else if byte == UInt8(ascii: ">") {
                        break
                    }
                    index += 1
                }
                guard index < bytes.count else { throw fail("unterminated tag") }
                let selfClosing = bytes[index - 1] == UInt8(ascii: "/")
                index += 1
                if selfClosing {
                    try close(Open(name: name))
                } else {
                    stack.append(Open(name: name))
                }
            }
        }

        mutating func close(_ open: Open) throws(ParseError) {
            let text = try Self.decodeEntities(open.text, at: index)
            let node = XMLElementNode(name: open.name, text: text, children: open.children)
            if stack.isEmpty {
                root = node
            } else {
                stack[stack.count - 1].children.append(node)
            }
        }

        mutating func readName() -> String {
            let start = index
            while index < bytes.count, !Self.isSpace(bytes[index]), bytes[index] != UInt8(ascii: ">"), bytes[index] != UInt8(ascii: "/") {
                index += 1
            }
            let qualified = String(decoding: bytes[start..<index], as: UTF8.self)
            return qualified.split(separator: ":").last.map(String.init) ?? qualified
        }

        func starts(with prefix: String) -> Bool {
            let utf8 = Array(prefix.utf8)
            return index + utf8.count <= bytes.count && bytes[index..<(index + utf8.count)].elementsEqual(utf8)
        }

        mutating func skip(past terminator: String) throws(ParseError) {
            while index < bytes.count {
                if starts(with: terminator) {
                    index += terminator.utf8.count
                    return
                }
                index += 1
            }
            throw fail("missing '\(terminator)'")
        }

        func fail(_ problem: String) -> ParseError {
            ParseError(offset: index, problem: problem)
        }

        static func isSpace(_ byte: UInt8) -> Bool {
            byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
        }

        static func decodeEntities(_ raw: [UInt8], at offset: Int) throws(ParseError) -> String {
            guard raw.contains(UInt8(ascii: "&")) else { return String(decoding: raw, as: UTF8.self) }
            var out: [UInt8] = []
            var index = 0
            while index < raw.count {
                guard raw[index] == UInt8(ascii: "&") else {
                    out.append(raw[index])
                    index += 1
                    continue
                }
                guard let end = raw[index...].firstIndex(of: UInt8(ascii: ";")), end - index <= 12 else {
                    throw ParseError(offset: offset, problem: "'&' that starts no entity")
                }
                let entity = String(decoding: raw[(index + 1)..<end], as: UTF8.self)
                let named: [String: String] = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'"]
                if let value = named[entity] {
                    out += Array(value.utf8)
                } else if entity.hasPrefix("#"), let scalar = characterReference(entity.dropFirst()) {
                    out += Array(String(Character(scalar)).utf8)
                } else {
                    throw ParseError(offset: offset, problem: "unknown entity")
                }
                index = end + 1
            }
            return String(decoding: out, as: UTF8.self)
        }

        static func characterReference(_ digits: Substring) -> Unicode.Scalar? {
            let value = digits.hasPrefix("x") ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits, radix: 10)
            return value.flatMap(Unicode.Scalar.init)
        }
    }
}
