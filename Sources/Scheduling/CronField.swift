/// One of the five fields of a cron expression, parsed with Vixie cron's grammar:
/// a comma-separated list of `*`, `N`, `N-M`, each range optionally followed by `/STEP`.
struct CronField: Sendable, Equatable {
    enum Kind: Sendable, CaseIterable {
        case minute, hour, dayOfMonth, month, dayOfWeek

        var name: String {
            switch self {
            case .minute: "minute"
            case .hour: "hour"
            case .dayOfMonth: "day-of-month"
            case .month: "month"
            case .dayOfWeek: "day-of-week"
            }
        }

        var bounds: ClosedRange<Int> {
            switch self {
            case .minute: 0...59
            case .hour: 0...23
            case .dayOfMonth: 1...31
            case .month: 1...12
            case .dayOfWeek: 0...7
            }
        }

        var names: [String] {
            switch self {
            case .month: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
            case .dayOfWeek: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
            default: []
            }
        }

        /// The value of names[0]: months count from 1, weekdays from 0.
        var firstNameValue: Int { self == .month ? 1 : 0 }
    }

    /// Bit i set when value i matches (day-of-week folded so that 7 is also 0).
    var bits: UInt64
    /// Vixie cron treats a field whose text starts with `*` as unrestricted for the day OR rule.
    var startsWithStar: Bool

    func contains(_ value: Int) -> Bool { bits & (1 << UInt64(value)) != 0 }

    /// The matching values in ascending order.
    var values: [Int] { (0..<64).filter { contains($0) } }

    init(parsing text: Substring, kind: Kind, offset: Int) throws(ScheduleSyntaxError) {
        func fail(_ message: String) -> ScheduleSyntaxError {
            ScheduleSyntaxError(message: "\(kind.name) field '\(text)': \(message)", offset: offset)
        }
        startsWithStar = text.hasPrefix("*")
        bits = 0
        for element in text.split(separator: ",", omittingEmptySubsequences: false) {
            if element.isEmpty { throw fail("empty list element") }
            let parts = element.split(separator: "/", omittingEmptySubsequences: false)
            if parts.count > 2 { throw fail("more than one '/'") }
            var low: Int
            var high: Int
            var isRange = true
            if parts[0] == "*" {
                low = kind.bounds.lowerBound
                high = kind.bounds.upperBound
            } else {
                let ends = parts[0].split(separator: "-", omittingEmptySubsequences: false)
                guard ends.count <= 2 else { throw fail("'\(parts[0])' is not a value or range") }
                low = try Self.value(ends[0], kind: kind, fail: fail)
                if ends.count == 2 {
                    high = try Self.value(ends[1], kind: kind, fail: fail)
                    if low > high {
                        let hint = kind == .dayOfWeek ? " (Sunday is also 7: write e.g. fri-7)" : ""
                        throw fail("range \(parts[0]) goes backwards\(hint)")
                    }
                } else {
                    high = low
                    isRange = false
                }
            }
            var step = 1
            if parts.count == 2 {
                // Vixie cron accepts a step only after `*` or a range (`5/10` is an error there too).
                if !isRange { throw fail("a step needs a range, e.g. \(parts[0])-\(kind.bounds.upperBound)/\(parts[1])") }
                guard let s = Int(parts[1]), parts[1].allSatisfy(\.isASCII), s > 0, s <= kind.bounds.upperBound + 1 else {
                    throw fail("step '\(parts[1])' must be a number from 1 to \(kind.bounds.upperBound + 1)")
                }
                step = s
            }
            var v = low
            while v <= high {
                bits |= 1 << UInt64(v)
                v += step
            }
        }
        if kind == .dayOfWeek, contains(7) || contains(0) {
            bits |= 1 | (1 << 7)
        }
    }

    private static func value(
        _ text: Substring, kind: Kind, fail: (String) -> ScheduleSyntaxError
    ) throws(ScheduleSyntaxError) -> Int {
        if let n = Int(text), text.allSatisfy({ $0.isASCII && $0.isNumber }) {
            guard kind.bounds.contains(n) else {
                throw fail("\(n) is out of range \(kind.bounds.lowerBound)-\(kind.bounds.upperBound)")
            }
            return n
        }
        if let index = kind.names.firstIndex(of: text.lowercased()) {
            return index + kind.firstNameValue
        }
        if kind.names.isEmpty {
            throw fail("'\(text)' is not a number")
        }
        throw fail("'\(text)' is not a number or a name (\(kind.names.first ?? "")-\(kind.names.last ?? ""))")
    }
}
