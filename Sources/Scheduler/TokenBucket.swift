/// A token bucket for `rate_limit`: `rate` tokens a second, holding at most `burst`. Pure; the
/// present (in nanoseconds on a monotonic clock) is a parameter.
package struct TokenBucket: Sendable, Equatable {
    package let rate: Double
    package let burst: Double
    private var tokens: Double
    private var lastNanos: Int64

    package init(rate: Double, burst: Double? = nil, nowNanos: Int64) {
        self.rate = rate
        self.burst = max(1, burst ?? rate)
        tokens = self.burst
        lastNanos = nowNanos
    }

    private mutating func refill(nowNanos: Int64) {
        guard nowNanos > lastNanos else { return }
        tokens = min(burst, tokens + Double(nowNanos - lastNanos) / 1e9 * rate)
        lastNanos = nowNanos
    }

    /// Takes a token if one is there; otherwise says how long until one will be.
    package mutating func take(nowNanos: Int64) -> Duration? {
        refill(nowNanos: nowNanos)
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        let missing = 1 - tokens
        return .nanoseconds(Int64((missing / rate * 1e9).rounded(.up)))
    }
}
