import Foundation
import Scheduling

/// What is wrong with a time zone name that is not an IANA name, and which zones it may mean.
///
/// Abbreviations are ambiguous (`IST` is India, Ireland and Israel) and offsets ignore DST, so the
/// job file refuses both, suggesting zones from three sources: the current rules of the places
/// in the system's tz database (each TZif file's footer, like `GMT0BST,M3.5.0/1,M10.5.0` for
/// Europe/London), Foundation's table of common abbreviations, and the zone ICU (and so, until
/// now, appflowd) reads a three-letter legacy ID as (`BST` is Asia/Dhaka there).
enum ZoneNameAdvice {
    /// The message for a name that is not an IANA zone name, or nil for an IANA name.
    static func problem(with name: String) -> String? {
        if TimeZoneNames.isIANA(name) { return nil }
        if let offset = utcOffset(name) {
            let meanings = zones(forOffset: offset)
            let etc = meanings.first { $0.hasPrefix("Etc/") }.map { " (\($0): Etc/ names count west of UTC)" } ?? ""
            let suggestion = meanings.isEmpty ? "" : "; for \(formatted(offset)) all year, did you mean \(list(meanings, total: meanings.count, what: name))\(etc)?"
            return "'\(name)' is a UTC offset, not an IANA time zone name\(suggestion)"
        }
        let (meanings, total) = zones(forAbbreviation: name)
        if !meanings.isEmpty {
            return "'\(name)' is a time zone abbreviation, not an IANA time zone name, and abbreviations are ambiguous; did you mean \(list(meanings, total: total, what: name))?"
        }
        if let match = (TimeZoneNames.all ?? []).first(where: { $0.lowercased() == name.lowercased() }) {
            return "unknown time zone '\(name)'; did you mean \"\(match)\"? (IANA names are case-sensitive)"
        }
        if TimeZone(identifier: name) != nil {
            return "'\(name)' is not an IANA time zone name (use one like \"Europe/Berlin\" or \"UTC\")"
        }
        return "unknown time zone '\(name)' (use an IANA name like \"Europe/Berlin\" or \"UTC\")"
    }

    static let shown = 5

    /// `"A" or "B"`; `"A", "B", ... or another of the N zones using X` when there are more than `shown`.
    static func list(_ zones: [String], total: Int, what: String) -> String {
        let quoted = zones.prefix(shown).map { "\"\($0)\"" }
        if total > quoted.count {
            return quoted.joined(separator: ", ") + " or another of the \(total) zones using \(what)"
        }
        guard quoted.count > 1 else { return quoted.joined() }
        return quoted.dropLast().joined(separator: ", ") + " or " + (quoted.last ?? "")
    }

    // MARK: - Abbreviations

    /// ICU's three-letter IDs that are not tz database names, and the zone ICU takes each for
    /// (ICU's `zoneinfo64` links, from Java's old IDs). `TimeZone(identifier:)` accepts them.
    static let legacyIDs: [String: String] = [
        "ACT": "Australia/Darwin", "AET": "Australia/Sydney", "AGT": "America/Argentina/Buenos_Aires",
        "ART": "Africa/Cairo", "AST": "America/Anchorage", "BET": "America/Sao_Paulo", "BST": "Asia/Dhaka",
        "CAT": "Africa/Harare", "CNT": "America/St_Johns", "CST": "America/Chicago", "CTT": "Asia/Shanghai",
        "EAT": "Africa/Addis_Ababa", "ECT": "Europe/Paris", "IET": "America/Indiana/Indianapolis",
        "IST": "Asia/Kolkata", "JST": "Asia/Tokyo", "MIT": "Pacific/Apia", "NET": "Asia/Yerevan",
        "NST": "Pacific/Auckland", "PLT": "Asia/Karachi", "PNT": "America/Phoenix", "PRT": "America/Puerto_Rico",
        "PST": "America/Los_Angeles", "SST": "Pacific/Guadalcanal", "VST": "Asia/Ho_Chi_Minh",
    ]

    /// The zones an abbreviation may mean, the likeliest first (Foundation's pick, ICU's reading,
    /// then the places whose current rules use it, by name), at most `shown`, and how many in all.
    static func zones(forAbbreviation name: String) -> (zones: [String], total: Int) {
        let key = name.uppercased()
        guard !key.isEmpty, key.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) }) else { return ([], 0) }
        var zones: [String] = []
        func add(_ zone: String?) {
            if let zone, TimeZoneNames.isIANA(zone), !zones.contains(zone) { zones.append(zone) }
        }
        add(TimeZone.abbreviationDictionary[key])
        add(legacyIDs[key])
        // One place for each meaning first (`CST`: Chicago, but also Shanghai and Havana), so that
        // the short list shows every reading; then the rest.
        let places = PlaceRules.all.filter { $0.abbreviations.contains(key) }
        var meanings = Set(zones.compactMap { zone in places.first { $0.zone == zone }.map(\.meaning) })
        for place in places where meanings.insert(place.meaning).inserted {
            add(place.zone)
        }
        places.forEach { add($0.zone) }
        return (zones, zones.count)
    }

    // MARK: - Offsets

    /// The offset east of UTC, in seconds, of a name like `GMT+1`, `UTC-05:00`, `+0530`, read as
    /// Foundation reads it (east positive, unlike POSIX); nil for anything else.
    static func utcOffset(_ name: String) -> Int? {
        var rest = Substring(name.uppercased())
        for prefix in ["UTC", "GMT", "UT", "Z"] where rest.hasPrefix(prefix) {
            rest = rest.dropFirst(prefix.count)
            break
        }
        guard let sign = rest.first, sign == "+" || sign == "-" else { return nil }
        let digits = rest.dropFirst().filter { $0 != ":" }
        guard (1...4).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              rest.dropFirst().filter({ $0 == ":" }).count <= 1
        else { return nil }
        let hours = digits.count <= 2 ? Int(digits) ?? 0 : Int(digits.dropLast(2)) ?? 0
        let minutes = digits.count <= 2 ? 0 : Int(digits.suffix(2)) ?? 0
        guard hours <= 14, minutes < 60 else { return nil }
        return (sign == "-" ? -1 : 1) * (hours * 3600 + minutes * 60)
    }

    /// `UTC+05:30`.
    static func formatted(_ offset: Int) -> String {
        let minutes = abs(offset) / 60
        let hh = minutes / 60 < 10 ? "0\(minutes / 60)" : "\(minutes / 60)"
        let mm = minutes % 60 < 10 ? "0\(minutes % 60)" : "\(minutes % 60)"
        return "UTC\(offset < 0 ? "-" : "+")\(hh):\(mm)"
    }

    /// For an offset: `UTC` for zero, the tz database's `Etc/GMT-N` for whole hours (whose sign is
    /// POSIX's, inverted), then places on that offset all year, by name.
    static func zones(forOffset offset: Int) -> [String] {
        var zones: [String] = []
        if offset == 0 {
            zones.append("UTC")
        } else if offset % 3600 == 0, (-12...14).contains(offset / 3600) {
            let hours = -offset / 3600
            zones.append("Etc/GMT\(hours > 0 ? "+" : "-")\(abs(hours))")
        }
        zones += PlaceRules.all.filter { $0.standardOffset == offset && !$0.observesDST }.map(\.zone)
        return Array(zones.filter(TimeZoneNames.isIANA).prefix(shown))
    }
}

/// The current rules of each place in the system's tz database (`zone1970.tab`, else every zone
/// name): the abbreviations and standard offset of its TZif footer.
struct PlaceRules {
    var zone: String
    var abbreviations: Set<String>
    var standardOffset: Int
    var observesDST: Bool

    /// What the abbreviation stands for here, as far as a suggestion needs to tell readings apart.
    var meaning: [Int] { [standardOffset, observesDST ? 1 : 0] }

    static let all: [PlaceRules] = {
        let directory = TimeZoneNames.zoneInfoDirectory
        var zones: [String] = []
        if let tab = FileManager.default.contents(atPath: directory + "/zone1970.tab") {
            for line in String(decoding: tab, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
                let fields = line.split(separator: "\t")
                if fields.count >= 3 { zones.append(String(fields[2])) }
            }
        } else {
            zones = (TimeZoneNames.all ?? []).filter { $0.contains("/") && !$0.hasPrefix("Etc/") }
        }
        return zones.sorted().compactMap { zone in
            guard let data = FileManager.default.contents(atPath: directory + "/" + zone),
                  let footer = try? TZif.parseFile(Array(data)).footer
            else { return nil }
            return PlaceRules(zone: zone, footer: footer)
        }
    }()

    /// Reads a POSIX TZ string's `std offset [dst [offset]] [,rule]` part: names are letters
    /// (`CET`) or quoted (`<+0530>`, which is no abbreviation); the offset counts west, in hours.
    init?(zone: String, footer: String) {
        var rest = Substring(footer)
        func name() -> String? {
            if rest.first == "<" {
                guard let end = rest.firstIndex(of: ">") else { return nil }
                defer { rest = rest[rest.index(after: end)...] }
                let quoted = rest[rest.index(after: rest.startIndex)..<end]
                return quoted.allSatisfy(\.isLetter) ? String(quoted) : ""
            }
            let letters = rest.prefix { $0.isLetter }
            guard letters.count >= 3 else { return nil }
            rest = rest.dropFirst(letters.count)
            return String(letters)
        }
        func offset() -> Int? {
            let text = rest.prefix { $0.isNumber || $0 == ":" || $0 == "+" || $0 == "-" }
            rest = rest.dropFirst(text.count)
            let negative = text.hasPrefix("-")
            let parts = text.drop { $0 == "+" || $0 == "-" }.split(separator: ":").map { Int($0) ?? 0 }
            guard !parts.isEmpty else { return nil }
            let seconds = parts.enumerated().reduce(0) { $0 + $1.element * [3600, 60, 1][min($1.offset, 2)] }
            return negative ? seconds : -seconds
        }
        guard let standard = name(), let standardOffset = offset() else { return nil }
        let daylight = rest.isEmpty || rest.first == "," ? nil : name()
        self.zone = zone
        self.abbreviations = Set([standard, daylight ?? ""].filter { !$0.isEmpty }.map { $0.uppercased() })
        self.standardOffset = standardOffset
        self.observesDST = daylight != nil
    }
}
