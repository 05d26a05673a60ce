import Foundation

/// A `calendar = "..."` schedule: systemd's `OnCalendar=` syntax (systemd.time(7)) with
/// systemd 252's results, as `systemd-analyze calendar` computes them, DST behaviour included.
///
/// Known, deliberate differences from systemd (each also listed in the differential test):
/// - A trailing abbreviation of the job zone's own names (`CET`, `CEST`, `EDT`, ...), which
///   systemd reads as "standard" or "daylight" time of its local zone, is not recognized; a
///   word that is an IANA zone name (`CET`, `EST5EDT`) is read as that zone, as systemd does in
///   any other local zone.
/// - Zone names are looked up in the tz database's list of names (``TimeZoneNames``), not as files
///   under /usr/share/zoneinfo: file-only names such as `posixrules` and the leap-second
///   `right/...` zones are rejected. An abbreviation or offset (`BST`, `GMT+1`), which systemd
///   refuses as a syntax error, is refused with an error naming the word (`zoneName`).
/// - After `@`, only digits are accepted (systemd's `strtoul` also skips spaces and signs).
/// - Rare: a minute step that overflows into a DST gap shorter than an hour (Lord Howe's 30-minute
///   gap: `01..4:15/19` from 01:53 on the October change day) gives 01:34 here, 02:34 in systemd.
///   Found by the differential test with a non-default seed (CALENDAR_DIFF_SEED=7); not yet explained.
///
/// Like systemd, a search that needs more than 1,000 restarts gives up (nil): systemd 252 does so
/// for e.g. `10/6:00` in Australia/Lord_Howe across its October change, and so do we.
package struct CalendarSchedule: Schedule {
    let spec: CalendarSpec
    /// The zone the expression is evaluated in: its own suffix's, else the job's; nil for UTC.
    let evaluationZone: TimeZone?

    /// `timeZone` is the job's zone, used when the expression has no zone suffix.
    package init(parsing expression: String, timeZone: TimeZone) throws(ScheduleSyntaxError) {
        let spec = try CalendarSpecParser.parse(expression)
        self.spec = spec
        if spec.utc {
            evaluationZone = nil
        } else if let name = spec.zoneName {
            evaluationZone = CalendarZoneNames.zone(named: name)
        } else {
            evaluationZone = timeZone
        }
    }

    /// systemd's normalized form, as `systemd-analyze calendar` prints it on its "Normalized form:" line.
    package var normalized: String {
        spec.formatted
    }

    /// The first slot strictly after `after`, in whole Unix seconds.
    ///
    /// Slots are whole seconds, while systemd's elapses have microseconds (`*:*:0/0.5`,
    /// `*:*:1.25`). So this is systemd's next elapse strictly after the base time
    /// `after + 0.999999 s` (the last microsecond of the second `after`), truncated to its
    /// whole second: every elapse inside one second maps to that second's slot, and the next
    /// slot is always later than `after`.
    package func nextSlot(after: Int64) -> Int64? {
        guard after <= CivilTime.maxInstant, after >= 0 else { return nil }
        guard let next = nextElapse(afterMicroseconds: after * 1_000_000 + 999_999) else { return nil }
        return next / 1_000_000
    }

    /// systemd's next elapse strictly after `base` (Unix microseconds), as
    /// `calendar_spec_next_usec()` computes it; nil when the expression never elapses again.
    package func nextElapse(afterMicroseconds base: Int64) -> Int64? {
        var engine = CalendarNextElapse(spec: spec, clock: CalendarClock(zone: evaluationZone))
        return engine.next(afterMicroseconds: base)
    }
}
