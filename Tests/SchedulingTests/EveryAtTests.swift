import Foundation
import Testing
@testable import Scheduling

@Test(.timeLimit(.minutes(5)), arguments: [
    // (interval s, offset s, after, expected next) — slots are offset + k*interval from the epoch.
    (900, 0, 0, 900), (900, 0, 899, 900), (900, 0, 900, 1800), (900, 120, 0, 120), (900, 120, 120, 1020),
    (900, 120, -1, 120), (900, 120, -900, -780), (86_400, 3600, 1_764_000_000, 1_764_032_400), (1, 0, 41, 42),
])
func everySlots(_ interval: Int64, _ offset: Int64, _ after: Int64, _ expected: Int64) throws {
    let s = try EverySchedule(interval: .seconds(interval), offset: .seconds(offset))
    #expect(s.nextSlot(after: after) == expected)
}

@Test(.timeLimit(.minutes(5))) func everyRejectsBadIntervals() {
    #expect(throws: ScheduleSyntaxError.self) { try EverySchedule(interval: .zero) }
    #expect(throws: ScheduleSyntaxError.self) { try EverySchedule(interval: .milliseconds(1500)) }
    #expect(throws: ScheduleSyntaxError.self) { try EverySchedule(interval: .seconds(60), offset: .seconds(60)) }
    #expect(throws: ScheduleSyntaxError.self) { try EverySchedule(interval: .seconds(60), offset: .seconds(-1)) }
    #expect((try? EverySchedule(interval: .seconds(60)))?.nextSlot(after: Int64.max) == nil)
}

/// Derivations: Berlin is UTC+1 in December; 29 Mar 2026 02:30 Berlin is in the gap (-> 03:00 CEST =
/// 01:00Z); 25 Oct 2026 02:30 Berlin occurs twice (first at 00:30Z); New York 8 Mar 2026 02:30 -> 07:00Z.
@Test(.timeLimit(.minutes(5)), arguments: [
    ("2026-12-01T09:00:00Z", "UTC", "2026-12-01T09:00:00Z"),
    ("2026-12-01t09:00:00z", "UTC", "2026-12-01T09:00:00Z"),
    ("2026-12-01T10:00:00+01:00", "UTC", "2026-12-01T09:00:00Z"),
    ("2026-12-01T04:00:00-05:00", "Europe/Berlin", "2026-12-01T09:00:00Z"),
    ("2026-12-02 09:00", "Europe/Berlin", "2026-12-02T08:00:00Z"),
    ("2026-12-02T09:00", "Europe/Berlin", "2026-12-02T08:00:00Z"),
    ("2026-12-02 09:00:30", "UTC", "2026-12-02T09:00:30Z"),
    ("2026-03-29 02:30", "Europe/Berlin", "2026-03-29T01:00:00Z"),
    ("2026-10-25 02:30", "Europe/Berlin", "2026-10-25T00:30:00Z"),
    ("2026-03-08 02:30", "America/New_York", "2026-03-08T07:00:00Z"),
    ("2028-02-29 00:00", "UTC", "2028-02-29T00:00:00Z"),
])
func atParsesTimes(_ text: String, _ zone: String, _ expected: String) throws {
    #expect(try AtSchedule.parseTime(text, timeZone: TestTime.zone(zone)) == TestTime.unix(expected))
}

@Test(.timeLimit(.minutes(5)), arguments: [
    ("2026-13-01 09:00", "month 13"), ("2026-02-29 09:00", "day 29"), ("2026-12-01", "expected 'T'"),
    ("2026-12-01 25:00", "time out of range"), ("2026-12-01T09:00:00.5Z", "fractional"),
    ("2026-12-01T09:00:00+1", "offset"), ("tomorrow", "4-digit year"), ("2026-12-01T09:00Zx", "after 'Z'"),
])
func atRejectsTimes(_ text: String, _ fragment: String) {
    #expect {
        _ = try AtSchedule.parseTime(text, timeZone: .gmt)
    } throws: { error in
        (error as? ScheduleSyntaxError)?.message.contains(fragment) ?? false
    }
}

@Test(.timeLimit(.minutes(5))) func atReturnsSortedDistinctInstants() {
    let s = AtSchedule(instants: [300, 100, 200, 100])
    #expect(s.instants == [100, 200, 300])
    #expect(s.nextSlot(after: 0) == 100)
    #expect(s.nextSlot(after: 100) == 200)
    #expect(s.nextSlot(after: 250) == 300)
    #expect(s.nextSlot(after: 300) == nil)
    #expect(AtSchedule(instants: []).nextSlot(after: 0) == nil)
}
