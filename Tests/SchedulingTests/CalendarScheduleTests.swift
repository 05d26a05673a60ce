import Foundation
import Scheduling
import Testing

/// Hand-picked expressions, with the normalized forms and elapses that `systemd-analyze calendar`
/// (systemd 252) printed for them under TZ=Europe/Berlin from base time 1774738800
/// (Sun 2026-03-29 00:00 CET, the night clocks go forward at 02:00).
@Suite(.timeLimit(.minutes(5))) struct CalendarScheduleTests {
    static let base: Int64 = 1_774_738_800
    static let berlin = TimeZone(identifier: "Europe/Berlin")!

    struct Case: CustomTestStringConvertible, Sendable {
        var expression: String
        var normalized: String
        /// Elapses in UTC, "YYYY-MM-DD HH:MM:SS", truncated to whole seconds as systemd prints them.
        var elapses: [String]
        var testDescription: String { expression }
    }

    static let cases: [Case] = [
        Case(expression: "Mon..Fri *-*-* 02:00", normalized: "Mon..Fri *-*-* 02:00:00",
             elapses: ["2026-03-30 00:00:00", "2026-03-31 00:00:00", "2026-04-01 00:00:00"]),
        Case(expression: "Mon-Fri", normalized: "Mon..Fri *-*-* 00:00:00",
             elapses: ["2026-03-29 22:00:00", "2026-03-30 22:00:00", "2026-03-31 22:00:00"]),
        Case(expression: "Sat,Sun 12:00 UTC", normalized: "Sat,Sun *-*-* 12:00:00 UTC",
             elapses: ["2026-03-29 12:00:00", "2026-04-04 12:00:00", "2026-04-05 12:00:00"]),
        Case(expression: "*-02~03", normalized: "*-02~03 00:00:00",
             elapses: ["2027-02-25 23:00:00", "2028-02-26 23:00:00", "2029-02-25 23:00:00"]),
        Case(expression: "*-05~1..3", normalized: "*-05~01..03 00:00:00",
             elapses: ["2026-05-28 22:00:00", "2026-05-29 22:00:00", "2026-05-30 22:00:00"]),
        Case(expression: "hourly", normalized: "*-*-* *:00:00",
             elapses: ["2026-03-29 00:00:00", "2026-03-29 01:00:00", "2026-03-29 02:00:00"]),
        Case(expression: "daily", normalized: "*-*-* 00:00:00",
             elapses: ["2026-03-29 22:00:00", "2026-03-30 22:00:00", "2026-03-31 22:00:00"]),
        Case(expression: "weekly", normalized: "Mon *-*-* 00:00:00",
             elapses: ["2026-03-29 22:00:00", "2026-04-05 22:00:00", "2026-04-12 22:00:00"]),
        Case(expression: "monthly", normalized: "*-*-01 00:00:00",
             elapses: ["2026-03-31 22:00:00", "2026-04-30 22:00:00", "2026-05-31 22:00:00"]),
        Case(expression: "yearly", normalized: "*-01-01 00:00:00",
             elapses: ["2026-12-31 23:00:00", "2027-12-31 23:00:00", "2028-12-31 23:00:00"]),
        Case(expression: "quarterly", normalized: "*-01,04,07,10-01 00:00:00",
             elapses: ["2026-03-31 22:00:00", "2026-06-30 22:00:00", "2026-09-30 22:00:00"]),
        Case(expression: "semiannually", normalized: "*-01,07-01 00:00:00",
             elapses: ["2026-06-30 22:00:00", "2026-12-31 23:00:00", "2027-06-30 22:00:00"]),
        Case(expression: "*:0/15", normalized: "*-*-* *:00/15:00",
             elapses: ["2026-03-28 23:15:00", "2026-03-28 23:30:00", "2026-03-28 23:45:00"]),
        // 02:30 does not exist on 2026-03-29 in Berlin: systemd skips that day.
        Case(expression: "*-*-* 02:30", normalized: "*-*-* 02:30:00",
             elapses: ["2026-03-30 00:30:00", "2026-03-31 00:30:00", "2026-04-01 00:30:00"]),
        Case(expression: "*:*:0/0.5", normalized: "*-*-* *:*:00/0.500000",
             elapses: ["2026-03-28 23:00:00", "2026-03-28 23:00:01", "2026-03-28 23:00:01"]),
        Case(expression: "*:*:1.25", normalized: "*-*-* *:*:01.250000",
             elapses: ["2026-03-28 23:00:01", "2026-03-28 23:01:01", "2026-03-28 23:02:01"]),
        Case(expression: "2026-11-26 10:00", normalized: "2026-11-26 10:00:00",
             elapses: ["2026-11-26 09:00:00"]),
        Case(expression: "10:00 America/New_York", normalized: "*-*-* 10:00:00 America/New_York",
             elapses: ["2026-03-29 14:00:00", "2026-03-30 14:00:00", "2026-03-31 14:00:00"]),
        Case(expression: "*-*-31 12:00", normalized: "*-*-31 12:00:00",
             elapses: ["2026-03-31 10:00:00", "2026-05-31 10:00:00", "2026-07-31 10:00:00"]),
        Case(expression: "minutely", normalized: "*-*-* *:*:00",
             elapses: ["2026-03-28 23:01:00", "2026-03-28 23:02:00", "2026-03-28 23:03:00"]),
        Case(expression: "*-*-* 01..4:15/19 Australia/Lord_Howe", normalized: "*-*-* 01..04:15/19:00 Australia/Lord_Howe",
             elapses: ["2026-03-29 14:15:00", "2026-03-29 14:34:00", "2026-03-29 14:53:00"]),
        Case(expression: "@1800000000", normalized: "2027-01-15 08:00:00 UTC", elapses: ["2027-01-15 08:00:00"]),
    ]

    static func seconds(_ text: String) -> Int64 {
        CalendarOracle.parseTimestamp("Xxx " + text + " UTC") ?? -1
    }

    @Test(arguments: cases)
    func normalizesAndElapsesLikeSystemd(_ c: Case) throws {
        let schedule = try CalendarSchedule(parsing: c.expression, timeZone: Self.berlin)
        #expect(schedule.normalized == c.normalized)
        var elapses: [Int64] = []
        var cursor = Self.base * 1_000_000
        while elapses.count < 3, let next = schedule.nextElapse(afterMicroseconds: cursor) {
            elapses.append(next / 1_000_000)
            cursor = next
        }
        #expect(elapses == c.elapses.map(Self.seconds))
    }

    @Test func nextSlotIsTheWholeSecondOfTheNextElapseAfterTheSecond() throws {
        let halfSeconds = try CalendarSchedule(parsing: "*:*:0/0.5", timeZone: Self.berlin)
        // Elapses at .0 and .5 of every second: one slot per second, always after `after`.
        #expect(halfSeconds.nextSlot(after: Self.base) == Self.base + 1)
        #expect(halfSeconds.nextSlot(after: Self.base + 1) == Self.base + 2)
        let quarterPast = try CalendarSchedule(parsing: "*:*:1.25", timeZone: Self.berlin)
        #expect(quarterPast.nextSlot(after: Self.base) == Self.base + 1)
        #expect(quarterPast.nextSlot(after: Self.base + 1) == Self.base + 61)
        let once = try CalendarSchedule(parsing: "2026-11-26 10:00", timeZone: Self.berlin)
        #expect(once.nextSlot(after: Self.base) == Self.seconds("2026-11-26 09:00:00"))
        #expect(once.nextSlot(after: Self.seconds("2026-11-26 09:00:00")) == nil)
    }

    @Test func usesTheJobZoneUnlessTheExpressionNamesOne() throws {
        let kolkata = try #require(TimeZone(identifier: "Asia/Kolkata"))
        let local = try CalendarSchedule(parsing: "12:00", timeZone: kolkata)
        #expect(local.nextSlot(after: Self.base) == Self.seconds("2026-03-29 06:30:00"))
        let utc = try CalendarSchedule(parsing: "12:00 utc", timeZone: kolkata)
        #expect(utc.normalized == "*-*-* 12:00:00 UTC")
        #expect(utc.nextSlot(after: Self.base) == Self.seconds("2026-03-29 12:00:00"))
    }

    struct Bad: CustomTestStringConvertible, Sendable {
        var expression: String
        var offset: Int
        var testDescription: String { expression }
    }

    /// Each rejected by systemd 252 too ("Failed to parse calendar specification").
    static let bad: [Bad] = [
        Bad(expression: "", offset: 0),
        Bad(expression: "now", offset: 0),
        Bad(expression: "bogus", offset: 0),
        Bad(expression: " 12:00", offset: 0),
        Bad(expression: "12:00 ", offset: 5),
        Bad(expression: "Mon..", offset: 0),
        Bad(expression: "Fri..Mon", offset: 0),
        Bad(expression: "Mond 12:00", offset: 0),
        Bad(expression: "*-13-01", offset: 2),
        Bad(expression: "*-*-32", offset: 4),
        Bad(expression: "25:00", offset: 0),
        Bad(expression: "12:60", offset: 3),
        Bad(expression: "*:0/60", offset: 2),
        Bad(expression: "*:*:1.5..2", offset: 4),
        Bad(expression: "*:0/0", offset: 4),
        Bad(expression: "*-05~1/2", offset: 5),
        Bad(expression: "*~04,28", offset: 2),
        Bad(expression: "2024~02-03", offset: 4),
        Bad(expression: "*/2:00", offset: 1),
        Bad(expression: "12:00 GMT+1", offset: 6),
        Bad(expression: "*-*-* 02:00 BST", offset: 12),
        Bad(expression: "12:00 IST", offset: 6),
        Bad(expression: "12:00 Europe/Berln", offset: 6),
        Bad(expression: "1969-01-01", offset: 0),
        Bad(expression: "12:00:00:00", offset: 8),
    ]

    @Test(arguments: bad)
    func rejectsWithTheOffsetOfTheBadField(_ b: Bad) {
        #expect(throws: ScheduleSyntaxError.self) {
            _ = try CalendarSchedule(parsing: b.expression, timeZone: Self.berlin)
        }
        do {
            _ = try CalendarSchedule(parsing: b.expression, timeZone: Self.berlin)
        } catch {
            #expect(error.offset == b.offset, "\(error.message)")
            #expect(!error.message.isEmpty)
        }
    }

    /// A trailing word is a zone only when the tz database names it: `BST` (which Foundation
    /// reads as Bangladesh) and `GMT+1` are refused, and the error names the word so that the job
    /// file can suggest zones.
    @Test func zoneSuffixesAreIANANamesOnly() throws {
        for name in ["Europe/London", "Etc/GMT+5", "EST", "US/Eastern", "Etc/UTC"] {
            #expect(try CalendarSchedule(parsing: "12:00 \(name)", timeZone: Self.berlin).normalized == "*-*-* 12:00:00 \(name)")
        }
        for (expression, word) in [("*-*-* 02:00 BST", "BST"), ("12:00 GMT+1", "GMT+1"), ("Mon 12:00 PST", "PST"), ("12:00 +05:30", "+05:30")] {
            #expect {
                _ = try CalendarSchedule(parsing: expression, timeZone: Self.berlin)
            } throws: { error in
                (error as? ScheduleSyntaxError)?.zoneName == word
            }
        }
        // Not a zone-like word: the usual syntax error.
        #expect {
            _ = try CalendarSchedule(parsing: "12:00 12", timeZone: Self.berlin)
        } throws: { error in
            (error as? ScheduleSyntaxError)?.zoneName == nil
        }
    }

    @Test(.enabled(if: CalendarOracle.isAvailable, "systemd-analyze (systemd 252) is not installed"))
    func systemdRejectsTheBadExpressionsToo() async throws {
        let answers = try await CalendarOracle.run(
            expressions: Self.bad.map(\.expression).filter { !$0.isEmpty }, zone: "Europe/Berlin", baseTime: "@\(Self.base)", iterations: 1
        )
        for (expression, answer) in answers {
            #expect(answer.normalized == nil, "systemd accepted '\(expression)'")
        }
    }
}
