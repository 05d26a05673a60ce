import Foundation

/// A `struct tm` as systemd's calendar code handles it: fields may be out of range until
/// normalized. `month` is 0-based like `tm_mon`; `year` is the full year; `isDST` is -1 for
/// "unknown", as `tm_isdst`.
struct CalendarTime: Sendable, Equatable {
    var year: Int
    var month: Int
    var day: Int
    var hour: Int
    var minute: Int
    var second: Int
    var isDST: Int = -1
    /// 0 = Sunday; valid only after normalization.
    var weekday: Int = 0

    /// The fields as "local seconds" (wall clock written as if it were UTC), with overflowing
    /// fields carried the way mktime carries them.
    var localSeconds: Int64 {
        let y = Int64(year) + CivilTime.floorDiv(Int64(month), 12)
        let m = Int(CivilTime.floorMod(Int64(month), 12)) + 1
        let days = CivilTime.days(year: y, month: m, day: 1) + Int64(day - 1)
        return days * 86_400 + Int64(hour) * 3600 + Int64(minute) * 60 + Int64(second)
    }
}

/// systemd's `mktime_or_timegm()` and `localtime_or_gmtime_r()`, reproducing glibc's `mktime`
/// where it matters for calendar results: inside a DST gap `tm_isdst = -1` gives the time read
/// with the offset in force before the gap (02:30 in a 02:00->03:00 gap is 03:30), and in an
/// overlap it picks the occurrence whose offset equals glibc's remembered offset from the
/// previous call, which `guessOffset` carries, because systemd's results depend on it.
struct CalendarClock {
    /// nil: UTC (`timegm`/`gmtime_r`).
    let zone: TimeZone?
    /// glibc's static `localtime_offset`: the offset the last `mktime` settled on.
    private(set) var guessOffset: Int64 = 0

    init(zone: TimeZone?) {
        self.zone = zone
    }

    func offset(at t: Int64) -> Int64 {
        guard let zone else { return 0 }
        return Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(t))))
    }

    private func isDST(at t: Int64) -> Bool {
        guard let zone else { return false }
        return zone.isDaylightSavingTime(for: Date(timeIntervalSince1970: Double(t)))
    }

    /// `localtime_r` / `gmtime_r`.
    func breakDown(_ t: Int64) -> CalendarTime {
        let local = t + offset(at: t)
        let days = CivilTime.floorDiv(local, 86_400)
        let secondOfDay = Int(local - days * 86_400)
        let date = CivilTime.date(days: days)
        return CalendarTime(
            year: Int(date.year), month: date.month - 1, day: date.day,
            hour: secondOfDay / 3600, minute: secondOfDay / 60 % 60, second: secondOfDay % 60,
            isDST: isDST(at: t) ? 1 : 0, weekday: CivilTime.weekday(days: days)
        )
    }

    /// `mktime` / `timegm`: normalizes `tm` in place and returns its instant, or nil where
    /// systemd treats the result as an error (before 1970 or beyond year 9999).
    mutating func normalize(_ tm: inout CalendarTime) -> Int64? {
        let local = tm.localSeconds
        let t: Int64
        if zone == nil {
            t = local
        } else if tm.isDST < 0 {
            t = solveUnknownDST(local)
        } else {
            t = solveKnownDST(local, wantDST: tm.isDST != 0)
        }
        guard t >= 0, t <= CivilTime.maxInstant else { return nil }
        tm = breakDown(t)
        return t
    }

    /// glibc's probing: start from the remembered offset, re-read the offset at each guess;
    /// two guesses that alternate mean a gap, where the later instant (read with the offset
    /// before the gap) is returned.
    private mutating func solveUnknownDST(_ local: Int64) -> Int64 {
        var t = local - guessOffset
        var previous: Int64?
        for _ in 0..<8 {
            let o = offset(at: t)
            let next = local - o
            if next == t {
                guessOffset = o
                return t
            }
            if next == previous {
                let later = max(t, next)
                guessOffset = local - later
                return later
            }
            previous = t
            t = next
        }
        guessOffset = local - t
        return t
    }

    /// With `tm_isdst` 0 or 1, glibc takes the occurrence with that flag, else reads the wall
    /// time with the standard (or daylight) offset in force nearby.
    private mutating func solveKnownDST(_ local: Int64, wantDST: Bool) -> Int64 {
        var solutions: [Int64] = []
        for probe in [local - 50_400, local, local + 50_400] {
            let o = offset(at: probe)
            let t = local - o
            if offset(at: t) == o && !solutions.contains(t) {
                solutions.append(t)
            }
        }
        solutions.sort()
        let t: Int64
        if let match = solutions.first(where: { isDST(at: $0) == wantDST }) {
            t = match
        } else {
            t = local - offset(wantDST: wantDST, near: solutions.first ?? local)
        }
        guessOffset = local - t
        return t
    }

    private func offset(wantDST: Bool, near t: Int64) -> Int64 {
        guard let zone else { return 0 }
        let date = Date(timeIntervalSince1970: Double(t))
        let total = Int64(zone.secondsFromGMT(for: date))
        let daylight = Int64(zone.daylightSavingTimeOffset(for: date))
        let standard = total - daylight
        guard wantDST else { return standard }
        if daylight > 0 { return total }
        if let change = zone.nextDaylightSavingTimeTransition(after: date) {
            let delta = Int64(zone.daylightSavingTimeOffset(for: change.addingTimeInterval(1)))
            if delta > 0 { return standard + delta }
        }
        return standard + 3600
    }
}
