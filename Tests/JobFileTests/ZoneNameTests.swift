import Foundation
import Scheduling
import Testing
@testable import JobFile

/// `timezone` and a calendar expression's zone take IANA names only; abbreviations and offsets are
/// errors that suggest the zones they may mean.
@Suite(.timeLimit(.minutes(2))) struct ZoneNameTests {
    static func diagnostics(_ text: String) -> [String] {
        JobFileLoader.parse(text, fileName: "jobs.toml", now: fixtureNow).diagnostics.map(\.description)
    }

    static func job(timezone: String) -> String {
        "timezone = \"\(timezone)\"\n\n[[job]]\nflow = \"f1\"\ncron = \"0 2 * * *\"\n"
    }

    @Test(arguments: ["UTC", "Etc/UTC", "Etc/GMT+5", "Etc/GMT-14", "GMT", "Europe/London", "America/New_York",
                      "US/Eastern", "Asia/Calcutta", "EST", "CET", "EST5EDT", "Australia/Lord_Howe"])
    func ianaNamesAreAccepted(_ name: String) {
        // Fixed offsets (`EST`, `Etc/GMT+5`) are accepted with a warning (TrapWarningTests).
        #expect(Self.diagnostics(Self.job(timezone: name)).filter { $0.contains(": error: ") } == [])
    }

    struct Refused: Sendable, CustomTestStringConvertible {
        var name: String
        var message: String
        var testDescription: String { name }
    }

    /// Each was accepted before (Foundation reads `BST` as Bangladesh's +06:00, `IST` as India,
    /// `GMT+1` as a fixed offset), or refused without a hint (`CEST`, `EDT`).
    static let refused: [Refused] = [
        .init(name: "BST", message: "'BST' is a time zone abbreviation, not an IANA time zone name, and abbreviations are ambiguous; did you mean \"Europe/London\" or \"Asia/Dhaka\"?"),
        .init(name: "IST", message: "'IST' is a time zone abbreviation, not an IANA time zone name, and abbreviations are ambiguous; did you mean \"Asia/Kolkata\", \"Asia/Jerusalem\" or \"Europe/Dublin\"?"),
        .init(name: "JST", message: "'JST' is a time zone abbreviation, not an IANA time zone name, and abbreviations are ambiguous; did you mean \"Asia/Tokyo\"?"),
        .init(name: "GMT+1", message: "'GMT+1' is a UTC offset, not an IANA time zone name; for UTC+01:00 all year, did you mean \"Etc/GMT-1\", "),
        .init(name: "UTC+05:30", message: "'UTC+05:30' is a UTC offset, not an IANA time zone name; for UTC+05:30 all year, did you mean \"Asia/Colombo\" or \"Asia/Kolkata\"?"),
        .init(name: "europe/london", message: "unknown time zone 'europe/london'; did you mean \"Europe/London\"? (IANA names are case-sensitive)"),
        .init(name: "Mars/Olympus_Mons", message: "unknown time zone 'Mars/Olympus_Mons' (use an IANA name like \"Europe/Berlin\" or \"UTC\")"),
    ]

    @Test(arguments: refused)
    func abbreviationsAndOffsetsAreRefusedWithSuggestions(_ r: Refused) throws {
        let got = Self.diagnostics(Self.job(timezone: r.name))
        try #require(got.count == 1)
        #expect(got[0].hasPrefix("jobs.toml:1:12: error: " + r.message), "\(got[0])")
    }

    @Test func abbreviationsUsedByManyZonesListTheLikeliestFirst() throws {
        let cest = try #require(ZoneNameAdvice.problem(with: "CEST"))
        #expect(cest.contains("did you mean \"Europe/Paris\", "))
        #expect(cest.contains(" or another of the "))
        #expect(cest.hasSuffix(" zones using CEST?"))
        let edt = try #require(ZoneNameAdvice.problem(with: "EDT"))
        #expect(edt.contains("did you mean \"America/New_York\", "))
        let pst = try #require(ZoneNameAdvice.problem(with: "pst"))
        #expect(pst.contains("did you mean \"America/Los_Angeles\""))
        // CST is Chicago's (ICU's reading), but also China's and Cuba's: each reading is listed.
        let cst = try #require(ZoneNameAdvice.problem(with: "CST"))
        #expect(cst.contains("did you mean \"America/Chicago\", "), "\(cst)")
        #expect(cst.contains("\"America/Havana\""), "\(cst)")
        #expect(cst.contains("\"Asia/"), "\(cst)")
    }

    @Test func aJobsOwnZoneIsCheckedAtItsValue() {
        let text = "[[job]]\nflow = \"f1\"\ncron = \"0 2 * * *\"\ntimezone = \"PST\"\n"
        let got = Self.diagnostics(text)
        #expect(got.count == 1)
        #expect(got.first?.hasPrefix("jobs.toml:4:12: error: 'PST' is a time zone abbreviation") == true)
    }

    @Test func calendarZonesAreIANANamesOnly() {
        func calendar(_ expression: String) -> [String] {
            Self.diagnostics("timezone = \"UTC\"\n\n[[job]]\nflow = \"f1\"\ncalendar = \"\(expression)\"\n")
        }
        #expect(calendar("*-*-* 02:00 Europe/London") == [])
        #expect(calendar("*-*-* 02:00 Etc/GMT+5") == [])
        #expect(calendar("*-*-* 02:00 BST") == [
            "jobs.toml:5:25: error: bad calendar expression: 'BST' is a time zone abbreviation, not an IANA time zone name, and abbreviations are ambiguous; did you mean \"Europe/London\" or \"Asia/Dhaka\"?",
        ])
        #expect(calendar("Mon 12:00 Europe/Berln") == [
            "jobs.toml:5:23: error: bad calendar expression: unknown time zone 'Europe/Berln' (use an IANA name like \"Europe/Berlin\" or \"UTC\")",
        ])
    }

    /// The legacy table says what Foundation (ICU) makes of each ID: the same offsets as the zone
    /// it names, in winter and summer of both hemispheres.
    @Test(arguments: ZoneNameAdvice.legacyIDs.sorted { $0.key < $1.key }.map { [$0.key, $0.value] })
    func legacyIDsReadAsTheirZone(_ pair: [String]) throws {
        let legacy = try #require(TimeZone(identifier: pair[0]))
        let zone = try #require(TimeZone(identifier: pair[1]))
        #expect(!TimeZoneNames.isIANA(pair[0]))
        #expect(TimeZoneNames.isIANA(pair[1]))
        for instant in [1_768_435_200.0, 1_784_073_600.0] {  // 2026-01-15, 2026-07-15
            let date = Date(timeIntervalSince1970: instant)
            #expect(legacy.secondsFromGMT(for: date) == zone.secondsFromGMT(for: date))
        }
    }

    @Test func footersGiveAbbreviationsAndStandardOffsets() throws {
        let london = try #require(PlaceRules(zone: "Europe/London", footer: "GMT0BST,M3.5.0/1,M10.5.0"))
        #expect(london.abbreviations == ["GMT", "BST"] && london.standardOffset == 0 && london.observesDST)
        let kolkata = try #require(PlaceRules(zone: "Asia/Kolkata", footer: "IST-5:30"))
        #expect(kolkata.abbreviations == ["IST"] && kolkata.standardOffset == 19_800 && !kolkata.observesDST)
        let dhaka = try #require(PlaceRules(zone: "Asia/Dhaka", footer: "<+06>-6"))
        #expect(dhaka.abbreviations.isEmpty && dhaka.standardOffset == 21_600)
        let santiago = try #require(PlaceRules(zone: "America/Santiago", footer: "<-04>4<-03>,M9.1.6/24,M4.1.6/24"))
        #expect(santiago.standardOffset == -14_400 && santiago.observesDST)
        #expect(PlaceRules(zone: "X", footer: "") == nil)
    }
}
