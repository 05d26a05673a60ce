import Foundation

/// Which trailing words systemd takes as a time zone: like its `timezone_is_valid()`, a name of
/// letters, digits and `-_+/` with no leading, trailing or doubled `/`, that names a zone in the
/// zone database (here Foundation's, where systemd opens the file under /usr/share/zoneinfo).
enum CalendarZoneNames {
    static func isZoneName(_ name: String) -> Bool {
        guard !name.isEmpty else { return false }
        if name == "UTC" { return true }
        guard name.first != "/", name.last != "/", !name.contains("//") else { return false }
        let allowed = name.unicodeScalars.allSatisfy { s in
            s.isASCII && (s.properties.isAlphabetic || ("0"..."9").contains(s) || "-_+/".unicodeScalars.contains(s))
        }
        guard allowed else { return false }
        // Foundation also makes up fixed-offset zones ("GMT+1" -> "GMT+0100"); those are not files.
        return TimeZone(identifier: name)?.identifier == name
    }

    /// The zone an expression's suffix names, or nil for UTC and the job's zone.
    static func zone(named name: String) -> TimeZone? {
        TimeZone(identifier: name)
    }
}
