import Crypto

extension SigV4Algorithm {
    /// SHA-256 of the empty string, the payload hash of a request without a body.
    package static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// Lowercase hex SHA-256 of the body.
    package static func payloadHash(_ body: [UInt8]) -> String {
        body.isEmpty ? emptyPayloadHash : hex(SHA256.hash(data: body))
    }

    /// "yyyymmdd/region/service/aws4_request".
    package static func credentialScope(dateStamp: String, region: String, service: String) -> String {
        "\(dateStamp)/\(region)/\(service)/aws4_request"
    }

    /// The canonical request: method, canonical URI, canonical query, canonical headers,
    /// a blank line, the signed-headers list and the payload hash, joined with newlines.
    package static func canonicalRequest(
        method: String,
        path: String,
        query: String,
        headers: [(name: String, value: String)],
        payloadHash: String
    ) -> String {
        let block = canonicalHeaderBlock(headers)
        let bytes = canonicalRequestBytes(
            method: method, path: path, query: query,
            canonicalHeaders: block.canonical, signedHeaders: block.signed, payloadHash: payloadHash
        )
        return String(decoding: bytes, as: UTF8.self)
    }

    static func canonicalRequestBytes(
        method: String,
        path: String,
        query: String,
        canonicalHeaders: [UInt8],
        signedHeaders: [UInt8],
        payloadHash: String
    ) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(canonicalHeaders.count + path.utf8.count + query.utf8.count + 160)
        // botocore uppercases the method with Python's str.upper(); methods are ASCII tokens.
        out.append(contentsOf: method.utf8.map { $0 >= 97 && $0 <= 122 ? $0 & 0xDF : $0 })
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: canonicalURIBytes(path))
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: canonicalQueryBytes(query))
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: canonicalHeaders)
        out.append(contentsOf: [UInt8(ascii: "\n"), UInt8(ascii: "\n")])
        out.append(contentsOf: signedHeaders)
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: payloadHash.utf8)
        return out
    }

    /// "AWS4-HMAC-SHA256\n<amzDate>\n<scope>\n<hex SHA-256 of the canonical request>".
    package static func stringToSign(amzDate: String, credentialScope: String, canonicalRequest: String) -> String {
        stringToSign(amzDate: amzDate, credentialScope: credentialScope, canonicalRequest: Array(canonicalRequest.utf8))
    }

    static func stringToSign(amzDate: String, credentialScope: String, canonicalRequest: [UInt8]) -> String {
        "\(algorithm)\n\(amzDate)\n\(credentialScope)\n\(hex(SHA256.hash(data: canonicalRequest)))"
    }

    /// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
    package static func signingKey(secretAccessKey: String, dateStamp: String, region: String, service: String) -> SymmetricKey {
        var key = SymmetricKey(data: Array("AWS4\(secretAccessKey)".utf8))
        for part in [dateStamp, region, service, "aws4_request"] {
            key = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key))
        }
        return key
    }

    /// Lowercase hex HMAC-SHA256 of the string to sign under the signing key.
    package static func signature(signingKey: SymmetricKey, stringToSign: String) -> String {
        hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: signingKey))
    }

    /// Lowercase hex of any byte sequence (digests, MACs, keys).
    package static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(lowerHexDigits[Int(byte >> 4)])
            out.append(lowerHexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    package static func hex(_ key: SymmetricKey) -> String {
        key.withUnsafeBytes { hex($0) }
    }

    private static let lowerHexDigits = Array("0123456789abcdef".utf8)
}
