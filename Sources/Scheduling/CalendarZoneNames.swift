import Foundation

/// Which trailing words systemd takes as a time zone: like its `timezone_is_valid()`, a name of
/// letters, digits and `-_+/` with no leading, trailing or doubled `/`, that names a zone in the
/// tz database (here its list of names, ``TimeZoneNames``, where systemd opens the file under
/// /usr/share/zoneinfo).
enum CalendarZoneNames {
    static func isZoneName(_ name: String) -> Bool {
        name == "UTC" || (hasZoneCharacters(name) && TimeZoneNames.isIANA(name))
    }

    /// systemd's character rule for zone names.
    static func hasZoneCharacters(_ name: String) -> Bool {
        guard !name.isEmpty, name.first != "/", name.last != "/", !name.contains("//") else { return false }
        return name.unicodeScalars.allSatisfy { s in
            s.isASCII && (s.properties.isAlphabetic || ("0"..."9").contains(s) || "-_+/".unicodeScalars.contains(s))
        }
    }

    /// The zone an expression's suffix names, or nil for UTC and the job's zone.
    static func zone(named name: String) -> TimeZone? {
        TimeZone(identifier: name)
    }
}
