import Foundation

/// The names of the IANA tz database: its zones and links (`Europe/London`, `US/Eastern`,
/// `Etc/GMT+5`, `UTC`, `EST`), as the system's copy lists them in `tzdata.zi`.
///
/// Foundation accepts more than these: ICU's old three-letter IDs (`BST` is Bangladesh, `IST`
/// India, `PST` Los Angeles) and made-up fixed offsets (`GMT+1`, `UTC+05:30`). An operator
/// writing `BST` for British Summer Time would get +06:00, so only tz database names are taken.
package enum TimeZoneNames {
    package static let zoneInfoDirectory = "/usr/share/zoneinfo"

    /// Every zone and link name, or nil when the system has no `tzdata.zi`.
    package static let all: Set<String>? = {
        guard let data = FileManager.default.contents(atPath: zoneInfoDirectory + "/tzdata.zi") else { return nil }
        var names: Set<String> = []
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            // "Z NAME STDOFF ..." is a zone, "L TARGET NAME" a link.
            if fields.count >= 2, fields[0] == "Z" { names.insert(String(fields[1])) }
            if fields.count >= 3, fields[0] == "L" { names.insert(String(fields[2])) }
        }
        return names.isEmpty ? nil : names
    }()

    /// Whether `name` is a tz database name that Foundation can load. Without `tzdata.zi`, the
    /// zones Foundation lists as known, `UTC`, and `Etc/` names (offsets the tz database spells).
    package static func isIANA(_ name: String) -> Bool {
        guard !name.isEmpty, TimeZone(identifier: name) != nil else { return false }
        if let all { return all.contains(name) }
        return name == "UTC" || name.hasPrefix("Etc/") || TimeZone.knownTimeZoneIdentifiers.contains(name)
    }

    /// The zone an IANA name names, or nil for any other name.
    package static func zone(named name: String) -> TimeZone? {
        isIANA(name) ? TimeZone(identifier: name) : nil
    }
}
