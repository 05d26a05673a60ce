import Crypto

/// Deterministic jitter (SPEC section 3): every replica delays a slot by the same amount, and the
/// token does not change.
package enum Jitter {
    /// (first 8 bytes of SHA-256("jitter\n" + token), big-endian) mod jitter; 0 when jitter <= 0.
    package static func offsetMilliseconds(token: String, jitterMilliseconds: Int64) -> Int64 {
        guard jitterMilliseconds > 0 else { return 0 }
        let digest = Array(SHA256.hash(data: Array("jitter\n\(token)".utf8)))
        var value: UInt64 = 0
        for byte in digest.prefix(8) {
            value = value << 8 | UInt64(byte)
        }
        return Int64(value % UInt64(jitterMilliseconds))
    }
}
