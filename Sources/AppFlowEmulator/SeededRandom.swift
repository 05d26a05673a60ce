/// A small deterministic generator (SplitMix64), so `--seed` reproduces the same faults,
/// execution ids and run statistics for the same sequence of requests.
package struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    package init(seed: UInt64) {
        state = seed
    }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// True with probability `probability` (0 never draws, so a zero rate does not
    /// shift the sequence of the other dice).
    package mutating func chance(_ probability: Double) -> Bool {
        guard probability > 0 else { return false }
        guard probability < 1 else { return true }
        return Double(next() >> 11) * 0x1.0p-53 < probability
    }

    /// A random version-4 UUID string in lowercase, like AppFlow's execution ids. Built in a
    /// byte buffer because it runs twice per StartFlow.
    package mutating func uuidString() -> String {
        let high = (next() & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000
        let low = (next() & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        return String(unsafeUninitializedCapacity: 36) { buffer in
            let digits: StaticString = "0123456789abcdef"
            var position = 0
            for index in 0..<32 {
                if index == 8 || index == 12 || index == 16 || index == 20 {
                    buffer[position] = UInt8(ascii: "-")
                    position += 1
                }
                let word = index < 16 ? high : low
                let nibble = Int((word >> UInt64(60 - (index % 16) * 4)) & 0xF)
                buffer[position] = digits.utf8Start[nibble]
                position += 1
            }
            return position
        }
    }
}
