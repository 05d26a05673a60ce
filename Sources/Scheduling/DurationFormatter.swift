/// Formats durations compactly in systemd's style: `1h 30min`, `2d`, `500ms`, `0`.
package enum DurationFormatter {
    static let steps: [(name: String, micros: Int64)] = [
        ("d", 86_400_000_000), ("h", 3_600_000_000), ("min", 60_000_000), ("s", 1_000_000), ("ms", 1000), ("us", 1),
    ]

    /// Every non-zero unit, largest first, e.g. `1d 2h 3min 4s 500ms`. Negative durations get a `-`.
    package static func format(_ duration: Duration) -> String {
        format(duration, maxUnits: Int.max)
    }

    /// At most `maxUnits` non-zero units, largest first, truncating the rest (`5h 12min` for
    /// `maxUnits: 2`), the way `systemctl list-timers` shows time left.
    package static func format(_ duration: Duration, maxUnits: Int) -> String {
        let c = duration.components
        // Microseconds, saturating: the formatter must never trap on extreme values.
        let (m, overflow) = c.seconds.multipliedReportingOverflow(by: 1_000_000)
        var micros = overflow ? (c.seconds < 0 ? Int64.min + 1 : Int64.max) : m &+ c.attoseconds / 1_000_000_000_000
        if micros == 0 { return "0" }
        let sign = micros < 0 ? "-" : ""
        micros = micros == Int64.min ? Int64.max : abs(micros)
        var parts: [String] = []
        for step in steps where parts.count < maxUnits {
            let n = micros / step.micros
            if n > 0 {
                parts.append("\(n)\(step.name)")
                micros -= n * step.micros
            } else if !parts.isEmpty {
                // Stop at the first gap after a leading unit when truncating, like "2d" not "2d 5s".
                if maxUnits != Int.max { break }
            }
        }
        return sign + parts.joined(separator: " ")
    }
}
