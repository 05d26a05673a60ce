import Foundation
import Scheduling
import Testing
@testable import JobFile

/// Files that are valid but probably not what was meant: `check` warns (exit 0).
@Suite(.timeLimit(.minutes(2)))
struct TrapWarningTests {
    static func warnings(_ text: String) -> [String] {
        let (file, diagnostics) = JobFileLoader.parse(text, fileName: "t.toml", now: fixtureNow)
        #expect(file != nil, "\(diagnostics)")
        return diagnostics.filter { $0.severity == .warning }.map(\.description)
    }

    @Test(arguments: [("EST", "UTC-05:00 all year", "America/New_York"), ("MST", "UTC-07:00 all year", "America/Denver"),
                      ("Etc/GMT+5", "UTC-05:00 all year (Etc/ names count west of UTC)", "America/New_York")])
    func fixedOffsetZonesWarnAndNameAPlace(zone: String, says: String, place: String) throws {
        guard TimeZoneNames.isIANA(zone) else { return }
        let warnings = Self.warnings("timezone = \"\(zone)\"\n[[job]]\nflow = \"accounts\"\ncron = \"0 2 * * *\"\n")
        #expect(warnings.count == 1)
        let warning = try #require(warnings.first)
        #expect(warning.hasPrefix("t.toml:1:12: warning: '\(zone)' is \(says), without daylight saving time"))
        #expect(warning.contains("\"\(place)\""), "\(warning)")
    }

    @Test(arguments: ["UTC", "Europe/Berlin", "Asia/Tokyo", "America/New_York", "EST5EDT"])
    func placesAndUTCDoNotWarn(zone: String) {
        #expect(Self.warnings("timezone = \"\(zone)\"\n[[job]]\nflow = \"accounts\"\ncron = \"0 2 * * *\"\n").isEmpty)
    }

    @Test func everyWithATimezoneWarns() {
        let own = Self.warnings("[[job]]\nflow = \"accounts\"\nevery = \"1h\"\ntimezone = \"Europe/Berlin\"\n")
        #expect(own == ["t.toml:4:1: warning: 'timezone' has no effect on 'every': its slots are counted from the Unix epoch (UTC); use 'calendar' or 'cron' for times of day in a zone"])
        let daily = Self.warnings("timezone = \"Europe/Berlin\"\n[[job]]\nflow = \"accounts\"\nevery = \"1d\"\n")
        #expect(daily.count == 1 && daily[0].contains("'every' ignores 'timezone' (Europe/Berlin)"))
        // An hourly job inheriting the file's zone is normal: the zone is for the other jobs.
        #expect(Self.warnings("timezone = \"Europe/Berlin\"\n[[job]]\nflow = \"accounts\"\nevery = \"1h\"\n").isEmpty)
    }

    @Test func unknownRegionsWarn() {
        #expect(Self.warnings("region = \"frankfurt\"\n") == [
            "t.toml:1:10: warning: 'frankfurt' is not a known AWS region (AWS regions are named like \"eu-central-1\", not after cities)",
        ])
        #expect(Self.warnings("[[job]]\nflow = \"a1\"\nevery = \"1h\"\nregion = \"eu-west1\"\n") == [
            "t.toml:4:10: warning: 'eu-west1' is not a known AWS region; did you mean \"eu-west-1\"?",
        ])
        #expect(Self.warnings("region = \"eu-central-1\"\n").isEmpty)
    }

    @Test func aCalendarDaySkippedAtTheNextChangeWarns() throws {
        // From 2026-11-26, Berlin's next change is 2027-03-28, 02:00 CET -> 03:00 CEST.
        let warnings = Self.warnings("timezone = \"Europe/Berlin\"\n[[job]]\nflow = \"accounts\"\ncalendar = \"*-*-* 02:30\"\n")
        #expect(warnings == [
            "t.toml:4:12: warning: calendar '*-*-* 02:30' skips 2027-03-28: 02:30 does not exist in Europe/Berlin that day (clocks go from 02:00 to 03:00), and a calendar time that does not exist does not fire, as in systemd; pick a time outside the gap, or use 'cron', which fires right after it",
        ])
    }

    @Test(arguments: [
        "calendar = \"*-*-* 03:30\"",           // outside the gap
        "calendar = \"hourly\"",                // loses 02:00 that day, but is no daily job
        "calendar = \"Mon *-*-* 02:30\"",       // 2027-03-28 is a Sunday
        "cron = \"30 2 * * *\"",                // cron fires right after the gap
        "calendar = \"*-*-* 02:30 UTC\"",       // its own zone has no change
    ])
    func calendarsThatLoseNothingDoNotWarn(schedule: String) {
        #expect(Self.warnings("timezone = \"Europe/Berlin\"\n[[job]]\nflow = \"accounts\"\n\(schedule)\n").isEmpty)
    }
}
