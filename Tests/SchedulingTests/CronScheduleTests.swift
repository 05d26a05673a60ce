import Foundation
import Testing
@testable import Scheduling

struct CronCase: Sendable, CustomStringConvertible {
    var expr: String
    var zone: String
    var after: String
    var expected: [String]  // successive slots, RFC 3339 UTC; empty = never fires
    var description: String { "\(expr) in \(zone) after \(after)" }
}

/// Expected values derived by hand from the calendar (weekday of each date checked with `cal`) and
/// the zones' published DST rules:
/// Europe/Berlin 2026: 29 Mar 02:00 CET -> 03:00 CEST (01:00Z); 25 Oct 03:00 CEST -> 02:00 CET (01:00Z).
/// America/New_York 2026: 8 Mar 02:00 EST -> 03:00 EDT (07:00Z); 1 Nov 02:00 EDT -> 01:00 EST (06:00Z).
let cronCases: [CronCase] = [
    // Plain fields, UTC. 2026-02-01 is a Sunday.
    .init(expr: "0 2 * * 1-5", zone: "UTC", after: "2026-02-01T00:00:00Z",
          expected: ["2026-02-02T02:00:00Z", "2026-02-03T02:00:00Z", "2026-02-04T02:00:00Z"]),
    .init(expr: "*/20 9-10 * * *", zone: "UTC", after: "2026-02-01T09:30:00Z",
          expected: ["2026-02-01T09:40:00Z", "2026-02-01T10:00:00Z", "2026-02-01T10:20:00Z", "2026-02-01T10:40:00Z", "2026-02-02T09:00:00Z"]),
    .init(expr: "5,10-20/5 * * * *", zone: "UTC", after: "2026-02-01T00:00:00Z",
          expected: ["2026-02-01T00:05:00Z", "2026-02-01T00:10:00Z", "2026-02-01T00:15:00Z", "2026-02-01T00:20:00Z", "2026-02-01T01:05:00Z"]),
    // Names, case-insensitive; 7 and 0 are Sunday.
    .init(expr: "0 12 * Mar SUN", zone: "UTC", after: "2026-02-01T00:00:00Z",
          expected: ["2026-03-01T12:00:00Z", "2026-03-08T12:00:00Z"]),
    .init(expr: "0 12 * 3 7", zone: "UTC", after: "2026-02-01T00:00:00Z",
          expected: ["2026-03-01T12:00:00Z", "2026-03-08T12:00:00Z"]),
    .init(expr: "0 0 * * fri-7", zone: "UTC", after: "2026-02-01T00:00:00Z",
          expected: ["2026-02-06T00:00:00Z", "2026-02-07T00:00:00Z", "2026-02-08T00:00:00Z", "2026-02-13T00:00:00Z"]),
    // Both day fields restricted: either matches (the 13th, or a Friday). Feb 2026: Fridays 6, 13, 20.
    .init(expr: "0 0 13 * 5", zone: "UTC", after: "2026-02-01T00:00:00Z",
          expected: ["2026-02-06T00:00:00Z", "2026-02-13T00:00:00Z", "2026-02-20T00:00:00Z"]),
    // A day field starting with '*' counts as unrestricted, so both must match (Vixie):
    // days 1, 11, 21, 31 that are Fridays: 1 May, 31 Jul, 21 Aug 2026.
    .init(expr: "0 0 */10 * 5", zone: "UTC", after: "2026-01-01T00:00:00Z",
          expected: ["2026-05-01T00:00:00Z", "2026-07-31T00:00:00Z", "2026-08-21T00:00:00Z"]),
    // Macros.
    .init(expr: "@hourly", zone: "UTC", after: "2026-02-01T00:00:00Z", expected: ["2026-02-01T01:00:00Z"]),
    .init(expr: "@daily", zone: "UTC", after: "2026-02-01T00:00:00Z", expected: ["2026-02-02T00:00:00Z"]),
    .init(expr: "@midnight", zone: "UTC", after: "2026-02-01T00:00:00Z", expected: ["2026-02-02T00:00:00Z"]),
    .init(expr: "@weekly", zone: "UTC", after: "2026-02-01T00:00:00Z", expected: ["2026-02-08T00:00:00Z"]),
    .init(expr: "@monthly", zone: "UTC", after: "2026-02-01T00:00:00Z", expected: ["2026-03-01T00:00:00Z"]),
    .init(expr: "@YEARLY", zone: "UTC", after: "2026-02-01T00:00:00Z", expected: ["2027-01-01T00:00:00Z"]),
    .init(expr: "@annually", zone: "UTC", after: "2026-02-01T00:00:00Z", expected: ["2027-01-01T00:00:00Z"]),
    // Leap day, and expressions that never fire.
    .init(expr: "0 0 29 2 *", zone: "UTC", after: "2026-01-01T00:00:00Z", expected: ["2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"]),
    .init(expr: "0 0 30 2 *", zone: "UTC", after: "2026-01-01T00:00:00Z", expected: []),
    .init(expr: "0 0 31 apr,jun,sep,nov *", zone: "UTC", after: "2026-01-01T00:00:00Z", expected: []),
    // Strictly after: a slot equal to `after` is not returned.
    .init(expr: "0 2 * * *", zone: "UTC", after: "2026-02-01T02:00:00Z", expected: ["2026-02-02T02:00:00Z"]),
    // Berlin, plain: 02:00 CET = 01:00Z.
    .init(expr: "0 2 * * *", zone: "Europe/Berlin", after: "2026-02-01T00:00:00Z", expected: ["2026-02-01T01:00:00Z"]),
    // Berlin spring: 02:30 does not exist on 29 Mar; fires at 03:00 CEST = 01:00Z, then 02:30 CEST = 00:30Z.
    .init(expr: "30 2 * * *", zone: "Europe/Berlin", after: "2026-03-28T12:00:00Z",
          expected: ["2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"]),
    // Two skipped times of a fixed-time job collapse into one slot at the end of the gap.
    .init(expr: "0,30 2 * * *", zone: "Europe/Berlin", after: "2026-03-28T12:00:00Z",
          expected: ["2026-03-29T01:00:00Z", "2026-03-30T00:00:00Z"]),
    // A wildcard job (minute field starts with '*') follows the wall clock: no 02:xx on 29 Mar.
    .init(expr: "*/15 2 * * *", zone: "Europe/Berlin", after: "2026-03-28T12:00:00Z",
          expected: ["2026-03-30T00:00:00Z", "2026-03-30T00:15:00Z"]),
    // 03:00 CEST exists: 01:00Z (the same instant the skipped 02:xx times map to, one slot).
    .init(expr: "0 2,3 * * *", zone: "Europe/Berlin", after: "2026-03-28T12:00:00Z",
          expected: ["2026-03-29T01:00:00Z", "2026-03-30T00:00:00Z", "2026-03-30T01:00:00Z"]),
    // Berlin autumn: 02:30 occurs at 00:30Z (CEST) and 01:30Z (CET); only the first fires.
    .init(expr: "30 2 * * *", zone: "Europe/Berlin", after: "2026-10-24T12:00:00Z",
          expected: ["2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"]),
    // Hourly (a wildcard job) across the repeat: 02:00 CEST (00:00Z), the repeated 02:00 CET
    // (01:00Z) too, 03:00 CET (02:00Z).
    .init(expr: "0 * * * *", zone: "Europe/Berlin", after: "2026-10-24T23:30:00Z",
          expected: ["2026-10-25T00:00:00Z", "2026-10-25T01:00:00Z", "2026-10-25T02:00:00Z"]),
    // A fixed-time job repeats nothing: 02:00 CEST only, then the next day's 02:00 CET.
    .init(expr: "0 2 * * *", zone: "Europe/Berlin", after: "2026-10-24T12:00:00Z",
          expected: ["2026-10-25T00:00:00Z", "2026-10-26T01:00:00Z"]),
    // New York spring: 02:30 skipped on 8 Mar -> 03:00 EDT = 07:00Z; 9 Mar 02:30 EDT = 06:30Z.
    .init(expr: "30 2 * * *", zone: "America/New_York", after: "2026-03-07T12:00:00Z",
          expected: ["2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"]),
    // New York autumn: 01:30 EDT (05:30Z) fires, 01:30 EST (06:30Z) does not; 2 Nov 01:30 EST = 06:30Z.
    .init(expr: "30 1 * * *", zone: "America/New_York", after: "2026-10-31T12:00:00Z",
          expected: ["2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"]),
    // Asked from inside the repeated hour (01:10 EST, 06:10Z): 01:30's first occurrence is past.
    .init(expr: "30 1 * * *", zone: "America/New_York", after: "2026-11-01T06:10:00Z",
          expected: ["2026-11-02T06:30:00Z"]),
    // Midnight after the change: 2 Nov 00:00 EST = 05:00Z.
    .init(expr: "0 0 * * *", zone: "America/New_York", after: "2026-11-01T04:30:00Z",
          expected: ["2026-11-02T05:00:00Z"]),
    // New York autumn, wildcard: 01:30 EDT (05:30Z) and 01:30 EST (06:30Z) both fire.
    .init(expr: "30 * * * *", zone: "America/New_York", after: "2026-11-01T05:00:00Z",
          expected: ["2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z", "2026-11-01T07:30:00Z"]),
    // London, 29 Mar 2026 01:00 GMT -> 02:00 BST (01:00Z): 01:07 does not exist, so the hourly
    // wildcard job goes from 00:07 GMT to 02:07 BST, with no slot at 02:00 BST.
    .init(expr: "7 * * * *", zone: "Europe/London", after: "2026-03-28T23:30:00Z",
          expected: ["2026-03-29T00:07:00Z", "2026-03-29T01:07:00Z", "2026-03-29T02:07:00Z"]),
    // Fixed-time jobs that night: 01:30 fires right after the gap, and 01:00 and 01:30 make one slot.
    .init(expr: "30 1 * * *", zone: "Europe/London", after: "2026-03-28T12:00:00Z",
          expected: ["2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"]),
    .init(expr: "0,30 1 * * *", zone: "Europe/London", after: "2026-03-28T12:00:00Z",
          expected: ["2026-03-29T01:00:00Z", "2026-03-30T00:00:00Z"]),
    // @hourly is a wildcard job (cronie marks its hour field as '*').
    .init(expr: "@hourly", zone: "Europe/London", after: "2026-10-24T23:30:00Z",
          expected: ["2026-10-25T00:00:00Z", "2026-10-25T01:00:00Z", "2026-10-25T02:00:00Z"]),
    // Warsaw, 25 Oct 2026 03:00 CEST -> 02:00 CET (01:00Z): both 02:00s fire.
    .init(expr: "0 * * * *", zone: "Europe/Warsaw", after: "2026-10-24T23:30:00Z",
          expected: ["2026-10-25T00:00:00Z", "2026-10-25T01:00:00Z", "2026-10-25T02:00:00Z"]),
    .init(expr: "30 2 * * *", zone: "Europe/Warsaw", after: "2026-10-24T12:00:00Z",
          expected: ["2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"]),
    .init(expr: "*/30 2 * * *", zone: "Europe/Warsaw", after: "2026-10-24T23:30:00Z",
          expected: ["2026-10-25T00:00:00Z", "2026-10-25T00:30:00Z", "2026-10-25T01:00:00Z", "2026-10-25T01:30:00Z", "2026-10-26T01:00:00Z"]),
    // Sydney, 4 Oct 2026 02:00 AEST -> 03:00 AEDT (3 Oct 16:00Z): fixed 02:30 fires at 03:00 AEDT;
    // the wildcard job skips 02:30.
    .init(expr: "30 2 * * *", zone: "Australia/Sydney", after: "2026-10-03T12:00:00Z",
          expected: ["2026-10-03T16:00:00Z", "2026-10-04T15:30:00Z"]),
    .init(expr: "30 * * * *", zone: "Australia/Sydney", after: "2026-10-03T15:00:00Z",
          expected: ["2026-10-03T15:30:00Z", "2026-10-03T16:30:00Z"]),
    // Sydney, 5 Apr 2026 03:00 AEDT -> 02:00 AEST (4 Apr 16:00Z): 02:30 occurs at 15:30Z and 16:30Z.
    .init(expr: "30 2 * * *", zone: "Australia/Sydney", after: "2026-04-04T12:00:00Z",
          expected: ["2026-04-04T15:30:00Z", "2026-04-05T16:30:00Z"]),
    .init(expr: "30 */2 * * *", zone: "Australia/Sydney", after: "2026-04-04T15:00:00Z",
          expected: ["2026-04-04T15:30:00Z", "2026-04-04T16:30:00Z", "2026-04-04T18:30:00Z"]),
    // Lord Howe, 4 Oct 2026 02:00 +10:30 -> 02:30 +11 (3 Oct 15:30Z): a 30-minute gap.
    .init(expr: "15 2 * * *", zone: "Australia/Lord_Howe", after: "2026-10-03T12:00:00Z",
          expected: ["2026-10-03T15:30:00Z", "2026-10-04T15:15:00Z"]),
    .init(expr: "15 * * * *", zone: "Australia/Lord_Howe", after: "2026-10-03T14:00:00Z",
          expected: ["2026-10-03T14:45:00Z", "2026-10-03T16:15:00Z"]),
    // Lord Howe, 5 Apr 2026 02:00 +11 -> 01:30 +10:30 (4 Apr 15:00Z): 01:30-01:59 occur twice.
    .init(expr: "45 1 * * *", zone: "Australia/Lord_Howe", after: "2026-04-04T12:00:00Z",
          expected: ["2026-04-04T14:45:00Z", "2026-04-05T15:15:00Z"]),
    .init(expr: "*/15 1 * * *", zone: "Australia/Lord_Howe", after: "2026-04-04T13:55:00Z",
          expected: ["2026-04-04T14:00:00Z", "2026-04-04T14:15:00Z", "2026-04-04T14:30:00Z", "2026-04-04T14:45:00Z",
                     "2026-04-04T15:00:00Z", "2026-04-04T15:15:00Z", "2026-04-05T14:30:00Z"]),
    // Samoa skipped 30 Dec 2011 (-10 -> +14 at 10:00Z): a 24-hour jump is the clock being set for
    // cronie, so even a fixed-time job does not catch up the lost day.
    .init(expr: "0 12 * * *", zone: "Pacific/Apia", after: "2011-12-29T12:00:00Z",
          expected: ["2011-12-29T22:00:00Z", "2011-12-30T22:00:00Z"]),
]

struct CronErrorCase: Sendable, CustomStringConvertible {
    var expr: String
    var offset: Int
    var fragment: String
    var description: String { expr }
}

let cronErrorCases: [CronErrorCase] = [
    .init(expr: "", offset: 0, fragment: "empty"),
    .init(expr: "61 * * * *", offset: 0, fragment: "61 is out of range 0-59"),
    .init(expr: "0 24 * * *", offset: 2, fragment: "hour field"),
    .init(expr: "0 0 0 * *", offset: 4, fragment: "day-of-month field"),
    .init(expr: "0 0 * 13 *", offset: 6, fragment: "month field"),
    .init(expr: "0 2 * * 1-8", offset: 8, fragment: "day-of-week field"),
    .init(expr: "0 2 * * mon-funday", offset: 8, fragment: "'funday' is not a number or a name (sun-sat)"),
    .init(expr: "0  2 * *", offset: 8, fragment: "4 fields, expected 5"),
    .init(expr: "0 0 * * * 2026", offset: 10, fragment: "6 fields, expected 5"),
    .init(expr: "5/10 * * * *", offset: 0, fragment: "a step needs a range"),
    .init(expr: "*/0 * * * *", offset: 0, fragment: "step '0'"),
    .init(expr: "0 5-1 * * *", offset: 2, fragment: "goes backwards"),
    .init(expr: "0 0 * * fri-sun", offset: 8, fragment: "write e.g. fri-7"),
    .init(expr: "0 1,,2 * * *", offset: 2, fragment: "empty list element"),
    .init(expr: "@reboot", offset: 0, fragment: "@reboot is not a schedule"),
    .init(expr: "@fortnightly", offset: 0, fragment: "unknown macro"),
    .init(expr: "@daily 0", offset: 7, fragment: "unexpected text"),
    .init(expr: "0 0 * jan-foo *", offset: 6, fragment: "'foo' is not a number or a name (jan-dec)"),
    .init(expr: "x * * * *", offset: 0, fragment: "'x' is not a number"),
]

@Suite(.timeLimit(.minutes(2))) struct CronScheduleTests {
    @Test(arguments: cronCases)
    func cronNextSlots(_ c: CronCase) throws {
        let schedule = try CronSchedule(parsing: c.expr, timeZone: TestTime.zone(c.zone))
        var after = TestTime.unix(c.after)
        var got: [String] = []
        for _ in 0..<max(c.expected.count, 1) {
            guard let next = schedule.nextSlot(after: after) else { break }
            got.append(TestTime.iso(next))
            after = next
        }
        #expect(got == c.expected)
    }

    @Test(arguments: cronErrorCases)
    func cronSyntaxErrors(_ c: CronErrorCase) {
        #expect {
            _ = try CronSchedule(parsing: c.expr, timeZone: TestTime.zone("UTC"))
        } throws: { error in
            guard let e = error as? ScheduleSyntaxError else { return false }
            return e.offset == c.offset && e.message.contains(c.fragment)
        }
    }

    @Test func cronNormalizedCollapsesWhitespace() throws {
        #expect(try CronSchedule(parsing: "  0\t2 *  * 1-5 ", timeZone: .gmt).normalized == "0 2 * * 1-5")
        #expect(try CronSchedule(parsing: "@daily", timeZone: .gmt).normalized == "@daily")
    }

    @Test func cronFarFutureAndPastAreBounded() throws {
        let s = try CronSchedule(parsing: "* * * * *", timeZone: .gmt)
        #expect(s.nextSlot(after: Int64.max) == nil)
        #expect(s.nextSlot(after: Int64.min) == nil)
        #expect(s.nextSlot(after: 0) == 60)
    }

    @Test func cronWildcardJobsAreThoseWithAStarInMinuteOrHour() throws {
        for (expr, wall) in [("* 2 * * *", true), ("*/30 2 * * *", true), ("0 * * * *", true), ("0 */2 * * *", true),
                             ("*,5 2 * * *", true), ("@hourly", true), ("0 2 * * *", false), ("0-59 0-23 * * *", false),
                             ("@daily", false), ("0 2 */2 * *", false)] {
            #expect(try CronSchedule(parsing: expr, timeZone: .gmt).followsWallClock == wall, "\(expr)")
        }
    }
}
