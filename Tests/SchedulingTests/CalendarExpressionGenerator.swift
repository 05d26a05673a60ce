import TestSupport

/// Random `OnCalendar=` expressions that exercise every part of the grammar, biased toward the
/// hours and days where DST changes and month ends make systemd's arithmetic interesting.
/// Some come out invalid on purpose: systemd must reject exactly the ones we reject.
struct CalendarExpressionGenerator {
    /// Seeded, so that the expressions are the same on every run and a failure can be reproduced.
    var rng: SeededGenerator

    private static let shorthands = [
        "minutely", "hourly", "daily", "weekly", "monthly", "yearly", "annually", "quarterly",
        "semiannually", "semi-annually", "biannually", "Daily", "WEEKLY",
    ]
    private static let zones = [" UTC", " utc", " Europe/Berlin", " America/New_York", " Australia/Lord_Howe", " Asia/Kolkata"]
    private static let dayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    private static let longDayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    private mutating func chance(_ percent: Int) -> Bool {
        Int.random(in: 0..<100, using: &rng) < percent
    }

    private mutating func pick<T>(_ values: [T]) -> T {
        values[Int.random(in: 0..<values.count, using: &rng)]
    }

    mutating func expression() -> String {
        var text: String
        if chance(8) {
            text = pick(Self.shorthands)
        } else {
            var parts: [String] = []
            if chance(30) { parts.append(weekdays()) }
            if chance(75) { parts.append(date()) }
            if chance(85) || parts.isEmpty { parts.append(time()) }
            text = parts.joined(separator: chance(5) ? "  " : " ")
        }
        if chance(22) { text += pick(Self.zones) }
        return text
    }

    private mutating func weekdays() -> String {
        let count = Int.random(in: 1...3, using: &rng)
        var items: [String] = []
        for _ in 0..<count {
            let a = Int.random(in: 0..<7, using: &rng)
            let name = { (i: Int, long: Bool) -> String in long ? Self.longDayNames[i] : Self.dayNames[i] }
            let long = chance(15)
            var item = name(a, long)
            if chance(35) {
                let b = chance(90) ? Int.random(in: a..<7, using: &rng) : Int.random(in: 0..<7, using: &rng)
                item += (chance(80) ? ".." : "-") + name(b, long)
            }
            if chance(10) { item = item.lowercased() }
            items.append(item)
        }
        return items.joined(separator: ",")
    }

    /// One field: `*`, a value, a list, a range, a repetition.
    private mutating func field(_ values: [Int], width: Int, star: Int = 50, maxStep: Int) -> String {
        if chance(star) { return "*" }
        let n = chance(75) ? 1 : Int.random(in: 2...3, using: &rng)
        var items: [String] = []
        for _ in 0..<n {
            let a = pick(values)
            var item = pad(a, width)
            switch Int.random(in: 0..<10, using: &rng) {
            case 0, 1: item += ".." + pad(min(a + Int.random(in: 0...6, using: &rng), values.max()! + 1), width)
            case 2: item += ".." + pad(a + Int.random(in: 1...8, using: &rng), width) + "/" + String(Int.random(in: 1...maxStep, using: &rng))
            case 3: item += "/" + String(Int.random(in: 1...maxStep, using: &rng))
            default: break
            }
            items.append(item)
        }
        return items.joined(separator: ",")
    }

    private mutating func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        guard chance(70), digits.count < width else { return digits }
        return String(repeating: "0", count: width - digits.count) + digits
    }

    private mutating func date() -> String {
        let years = chance(20) ? [24, 25, 26, 27] : Array(2024...2030)
        let month = field(Array(1...12) + [2, 3, 3, 10, 10, 11, 4], width: 2, star: 45, maxStep: 5)
        if chance(25) {
            // Days counted from the month's end.
            let day = field(Array(1...5) + [28], width: 2, star: 0, maxStep: 3)
            let prefix = chance(50) ? field(years, width: 4, star: 70, maxStep: 2) + "-" : ""
            return prefix + month + "~" + day
        }
        let day = field(Array(1...31) + [29, 30, 31, 1, 1, 27, 28], width: 2, star: 45, maxStep: 10)
        if chance(30) { return month + "-" + day }
        return field(years, width: 4, star: 70, maxStep: 2) + "-" + month + "-" + day
    }

    private mutating func time() -> String {
        let hour = field(Array(0...23) + [0, 1, 1, 2, 2, 2, 3, 3], width: 2, star: 25, maxStep: 8)
        let minute = field([0, 0, 15, 30, 30, 45, 59, 5, 10, 20], width: 2, star: 20, maxStep: 20)
        if chance(50) { return hour + ":" + minute }
        let second: String
        switch Int.random(in: 0..<8, using: &rng) {
        case 0: second = "*"
        case 1: second = pick(["0/0.5", "1.25", "30.5", "00/15", "0..59/20", "59.999999", "1.5..3", "0/7.25"])
        default: second = field([0, 0, 0, 30, 59, 15], width: 2, star: 0, maxStep: 30)
        }
        return hour + ":" + minute + ":" + second
    }
}
