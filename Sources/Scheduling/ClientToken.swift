import Crypto

/// The idempotency token of a slot (SPEC section 3): replicas and versions must agree on it.
package enum ClientToken {
    /// `"appflowd-"` + the first 32 lowercase hex digits of
    /// SHA-256(salt + "\n" + job + "\n" + flow + "\n" + decimal Unix seconds of the slot).
    package static func make(salt: String, job: String, flow: String, slot: Int64) -> String {
        let digest = SHA256.hash(data: Array("\(salt)\n\(job)\n\(flow)\n\(slot)".utf8))
        return "appflowd-" + hex(digest.prefix(16))
    }

    static func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
