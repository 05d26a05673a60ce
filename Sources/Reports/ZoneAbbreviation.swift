import Foundation
import Scheduling
import Synchronization

/// Time-zone abbreviations (`CET`, `CEST`, `EST`) as the system's tz database names them.
/// Foundation on Linux answers `GMT+1`; `systemctl list-timers` and operators say `CET`. The
/// abbreviation is read from the zone's TZif file: the most recently used local-time type whose
/// offset and daylight-saving flag match Foundation's answer for that instant (which also covers
/// instants after the file's last transition). Falls back to Foundation's answer.
package enum ZoneAbbreviation {
    private static let cache = Mutex<[String: [TZif.LocalTimeType]]>([:])

    package static func abbreviation(for zone: TimeZone, at date: Date) -> String {
        // Foundation names the UTC zone "GMT"; the job file (and systemd) say UTC.
        if ["GMT", "UTC", "Etc/UTC", "Etc/GMT"].contains(zone.identifier) { return "UTC" }
        let offset = zone.secondsFromGMT(for: date)
        let isDST = zone.isDaylightSavingTime(for: date)
        let types = localTimeTypes(zone.identifier)
        if let match = types.last(where: { $0.offset == offset && $0.isDST == isDST }) ?? types.last(where: { $0.offset == offset }),
           !match.abbreviation.isEmpty, !match.abbreviation.hasPrefix("+"), !match.abbreviation.hasPrefix("-") {
            return match.abbreviation
        }
        return zone.abbreviation(for: date) ?? zone.identifier
    }

    /// The zone's local-time types, ordered by their last use in the transition table.
    static func localTimeTypes(_ identifier: String) -> [TZif.LocalTimeType] {
        if let cached = cache.withLock({ $0[identifier] }) { return cached }
        var types: [TZif.LocalTimeType] = []
        if !identifier.contains(".."), let data = FileManager.default.contents(atPath: TimeZoneNames.zoneInfoDirectory + "/" + identifier) {
            types = (try? TZif.parse(Array(data))) ?? []
        }
        cache.withLock { $0[identifier] = types }
        return types
    }
}
