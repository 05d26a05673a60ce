import Testing
@testable import Scheduling

/// Expected values from systemd.time(7): m = minute, M = month = 30.44 d, y = 365.25 d.
let durationCases: [(String, Duration)] = [
    ("90s", .seconds(90)), ("15m", .seconds(900)), ("1h30m", .seconds(5400)), ("2d", .seconds(172_800)),
    ("500ms", .milliseconds(500)), ("1h 30min", .seconds(5400)), ("30", .seconds(30)), ("0", .zero),
    ("1.5h", .seconds(5400)), ("250us", .microseconds(250)), ("2 sec", .seconds(2)), ("1second", .seconds(1)),
    ("3 minutes", .seconds(180)), ("2hr", .seconds(7200)), ("1 hours", .seconds(3600)), ("1w", .seconds(604_800)),
    ("2weeks", .seconds(1_209_600)), ("1M", .seconds(2_629_800)), ("1 month", .seconds(2_629_800)),
    ("1y", .seconds(31_557_600)), ("2years", .seconds(63_115_200)), ("1day 1h", .seconds(90_000)),
    ("5msec", .milliseconds(5)), ("7usec", .microseconds(7)), (" 1m 1s ", .seconds(61)), ("1h 30", .seconds(3630)),
    ("7h45min", .seconds(27_900)), ("0.5s", .milliseconds(500)),
]

@Test(.timeLimit(.minutes(5)), arguments: durationCases)
func durationParses(_ text: String, _ expected: Duration) throws {
    #expect(try DurationParser.parse(text) == expected)
}

let badDurations: [(String, Int, String)] = [
    ("", 0, "empty"), ("   ", 0, "empty"), ("5 parsecs", 2, "unknown unit 'parsecs'"), ("h", 0, "expected a number"),
    ("1h x", 3, "expected a number"), ("-5s", 0, "expected a number"), ("1X", 1, "unknown unit 'X'"),
    ("999999999999999999999s", 0, "too large"), ("200y", 0, "too large"),
]

@Test(.timeLimit(.minutes(5)), arguments: badDurations)
func durationRejects(_ text: String, _ offset: Int, _ fragment: String) {
    #expect {
        _ = try DurationParser.parse(text)
    } throws: { error in
        guard let e = error as? ScheduleSyntaxError else { return false }
        return e.offset == offset && e.message.contains(fragment)
    }
}

@Test(.timeLimit(.minutes(5)), arguments: [
    (Duration.seconds(5400), "1h 30min"), (.seconds(172_800), "2d"), (.milliseconds(500), "500ms"), (.zero, "0"),
    (.seconds(90), "1min 30s"), (.milliseconds(1500), "1s 500ms"), (.seconds(-90), "-1min 30s"),
])
func durationFormats(_ d: Duration, _ expected: String) {
    #expect(DurationFormatter.format(d) == expected)
}

@Test(.timeLimit(.minutes(5)), arguments: [
    (Duration.seconds(5 * 3600 + 12 * 60 + 7), "5h 12min"), (.seconds(2 * 86_400 + 5), "2d"), (.seconds(42), "42s"),
    (.seconds(3600 + 59), "1h"), (.seconds(61), "1min 1s"),
])
func durationFormatsShort(_ d: Duration, _ expected: String) {
    #expect(DurationFormatter.format(d, maxUnits: 2) == expected)
}

@Test(.timeLimit(.minutes(5)), arguments: ["90s", "1h 30min", "2d", "500ms", "1h 1min 1s 1ms"])
func durationRoundTrips(_ text: String) throws {
    let d = try DurationParser.parse(text)
    #expect(try DurationParser.parse(DurationFormatter.format(d)) == d)
}

@Test(.timeLimit(.minutes(5))) func durationFormatterSaturatesInsteadOfTrapping() {
    #expect(!DurationFormatter.format(.seconds(Int64.max)).isEmpty)
    #expect(DurationFormatter.format(.seconds(Int64.min)).hasPrefix("-"))
}
