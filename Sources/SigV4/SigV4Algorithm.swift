/// The steps of AWS Signature Version 4, as botocore's `SigV4Auth` performs them for
/// non-S3 services (rest-json, such as AppFlow). Each step is exposed so tests can check
/// it against botocore's own intermediate values; `SigV4Signer` and `SigV4Verifier`
/// are built from them.
///
/// Everything works on UTF-8 bytes and compares by bytes: botocore sorts Python strings
/// by code point, which for UTF-8 is the same order, while Swift's `String <` is not.
package enum SigV4Algorithm {
    package static let algorithm = "AWS4-HMAC-SHA256"

    /// Header names botocore never signs (hop-by-hop headers, and ones proxies or the
    /// HTTP stack may add or change after signing).
    package static let unsignedHeaderNames: Set<String> = [
        "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization",
        "te", "trailer", "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id",
    ]

    // MARK: Canonical URI

    /// The canonical URI: dot segments removed and empty segments collapsed (as AWS
    /// services require), then percent-encoded again, keeping only unreserved characters,
    /// "/" and "~". An already-encoded path is therefore encoded twice, as botocore does
    /// for every service but S3.
    package static func canonicalURI(_ path: String) -> String {
        String(decoding: canonicalURIBytes(path), as: UTF8.self)
    }

    static func canonicalURIBytes(_ path: String) -> [UInt8] {
        let bytes = Array(path.utf8)
        if bytes.isEmpty { return [UInt8(ascii: "/")] }
        var segments: [ArraySlice<UInt8>] = []
        for segment in bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
            if segment.elementsEqual([UInt8(ascii: ".")]) { continue }
            if segment.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")]) {
                _ = segments.popLast()
                continue
            }
            segments.append(segment)
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 16)
        if bytes.first == UInt8(ascii: "/") { out.append(UInt8(ascii: "/")) }
        for (index, segment) in segments.enumerated() {
            if index > 0 { out.append(UInt8(ascii: "/")) }
            percentEncode(segment, into: &out)
        }
        if bytes.last == UInt8(ascii: "/"), !segments.isEmpty { out.append(UInt8(ascii: "/")) }
        return out
    }

    /// Python's `urllib.parse.quote(s, safe="~")` on UTF-8 bytes: uppercase hex escapes.
    static func percentEncode(_ bytes: some Sequence<UInt8>, into out: inout [UInt8]) {
        for byte in bytes {
            if isUnreserved(byte) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(upperHexDigits[Int(byte >> 4)])
                out.append(upperHexDigits[Int(byte & 0x0F)])
            }
        }
    }

    private static let upperHexDigits = Array("0123456789ABCDEF".utf8)

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    // MARK: Canonical query string

    /// The canonical query string: the raw query split at "&", each pair split at its first
    /// "=" ("flag" becomes "flag="), sorted by key and then value, and joined again. botocore
    /// signs the query exactly as it appears in the URL, without decoding or re-encoding.
    package static func canonicalQueryString(_ query: String) -> String {
        String(decoding: canonicalQueryBytes(query), as: UTF8.self)
    }

    static func canonicalQueryBytes(_ query: String) -> [UInt8] {
        let bytes = Array(query.utf8)
        if bytes.isEmpty { return [] }
        var pairs: [(key: ArraySlice<UInt8>, value: ArraySlice<UInt8>)] = []
        for pair in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: false) {
            if let equals = pair.firstIndex(of: UInt8(ascii: "=")) {
                pairs.append((pair[pair.startIndex..<equals], pair[(equals + 1)...]))
            } else {
                pairs.append((pair, []))
            }
        }
        pairs.sort { lhs, rhs in
            if lhs.key.elementsEqual(rhs.key) {
                return lhs.value.lexicographicallyPrecedes(rhs.value)
            }
            return lhs.key.lexicographicallyPrecedes(rhs.key)
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + pairs.count)
        for (index, pair) in pairs.enumerated() {
            if index > 0 { out.append(UInt8(ascii: "&")) }
            out.append(contentsOf: pair.key)
            out.append(UInt8(ascii: "="))
            out.append(contentsOf: pair.value)
        }
        return out
    }

    // MARK: Canonical headers

    /// Canonical headers and the signed-headers list for exactly the headers given
    /// (the caller has already dropped the ones it must not sign): names lowercased and
    /// sorted, values trimmed and internal whitespace runs collapsed to one space,
    /// repeated names joined with "," in their original order.
    /// `canonical` has no trailing newline (the canonical request adds a blank line).
    package static func canonicalHeaders(
        _ headers: [(name: String, value: String)]
    ) -> (canonical: String, signedHeaders: String) {
        let block = canonicalHeaderBlock(headers)
        return (String(decoding: block.canonical, as: UTF8.self), String(decoding: block.signed, as: UTF8.self))
    }

    static func canonicalHeaderBlock(
        _ headers: [(name: String, value: String)]
    ) -> (canonical: [UInt8], signed: [UInt8]) {
        var entries: [(name: [UInt8], value: [UInt8], order: Int)] = []
        entries.reserveCapacity(headers.count)
        for (order, header) in headers.enumerated() {
            entries.append((lowercasedASCII(header.name), trimAll(header.value), order))
        }
        // Sorted by name; the original order breaks ties so repeated values keep their order.
        entries.sort { lhs, rhs in
            lhs.name == rhs.name ? lhs.order < rhs.order : lhs.name.lexicographicallyPrecedes(rhs.name)
        }
        var canonical: [UInt8] = []
        var signed: [UInt8] = []
        canonical.reserveCapacity(headers.count * 40)
        var previous: [UInt8]?
        for entry in entries {
            if entry.name == previous {
                canonical.append(UInt8(ascii: ","))
            } else {
                if previous != nil {
                    canonical.append(UInt8(ascii: "\n"))
                    signed.append(UInt8(ascii: ";"))
                }
                canonical.append(contentsOf: entry.name)
                canonical.append(UInt8(ascii: ":"))
                signed.append(contentsOf: entry.name)
                previous = entry.name
            }
            canonical.append(contentsOf: entry.value)
        }
        return (canonical, signed)
    }

    /// The SigV4 "Trimall": Python's `" ".join(value.split())`, whose whitespace includes
    /// tabs, vertical tab, form feed, \x1c-\x1f and Unicode spaces such as U+00A0.
    package static func trimAll(_ value: String) -> [UInt8] {
        let bytes = Array(value.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        var pendingSpace = false
        while index < bytes.count {
            let width = whitespaceWidth(bytes, at: index)
            if width > 0 {
                pendingSpace = !out.isEmpty
                index += width
                continue
            }
            if pendingSpace {
                out.append(UInt8(ascii: " "))
                pendingSpace = false
            }
            out.append(bytes[index])
            index += 1
        }
        return out
    }

    /// The UTF-8 length of the whitespace character at `index` (Python's `str.isspace`), or 0.
    private static func whitespaceWidth(_ bytes: [UInt8], at index: Int) -> Int {
        let byte = bytes[index]
        switch byte {
        case 0x09...0x0D, 0x1C...0x20:
            return 1
        case 0xC2:
            guard index + 1 < bytes.count else { return 0 }
            return bytes[index + 1] == 0x85 || bytes[index + 1] == 0xA0 ? 2 : 0
        case 0xE1, 0xE2, 0xE3:
            guard index + 2 < bytes.count else { return 0 }
            let scalar = (UInt32(byte & 0x0F) << 12) | (UInt32(bytes[index + 1] & 0x3F) << 6)
                | UInt32(bytes[index + 2] & 0x3F)
            switch scalar {
            case 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
                return 3
            default:
                return 0
            }
        default:
            return 0
        }
    }

    static func lowercasedASCII(_ string: String) -> [UInt8] {
        string.utf8.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 | 0x20 : $0 }
    }

    package static func asciiEqualsIgnoringCase(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.elementsEqual(rhs.utf8) { a, b in
            (a >= 65 && a <= 90 ? a | 0x20 : a) == (b >= 65 && b <= 90 ? b | 0x20 : b)
        }
    }
}
