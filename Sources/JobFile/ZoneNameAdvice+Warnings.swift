import Foundation
import Scheduling

extension ZoneNameAdvice {
    /// For a tz database name that is a fixed offset rather than a place (`EST`, `MST`,
    /// `Etc/GMT+5`): a warning that it never changes for daylight saving time, naming the places
    /// on that standard offset that do (`EST` is UTC-05:00 all year; New York is EST and EDT).
    /// Nil for places, for UTC, and for offsets no place with daylight saving time uses.
    static func fixedOffsetWarning(_ name: String, zone: TimeZone, now: Int64) -> String? {
        guard !name.contains("/") || name.hasPrefix("Etc/") else { return nil }
        let date = Date(timeIntervalSince1970: Double(now))
        let offset = zone.secondsFromGMT(for: date)
        guard offset != 0, zone.nextDaylightSavingTimeTransition(after: date) == nil else { return nil }
        let key = name.uppercased()
        let places = PlaceRules.all.filter { $0.standardOffset == offset && $0.observesDST }
        guard !places.isEmpty else { return nil }
        // The zone Foundation gives a common abbreviation first (EST: New York, not Detroit), then
        // places whose own abbreviations include the name, then the rest by name.
        let common = Set(TimeZone.abbreviationDictionary.values)
        let ordered = places.sorted {
            (common.contains($0.zone) ? 0 : 1, $0.abbreviations.contains(key) ? 0 : 1, $0.zone)
                < (common.contains($1.zone) ? 0 : 1, $1.abbreviations.contains(key) ? 0 : 1, $1.zone)
        }
        let zones = ordered.map(\.zone).filter(TimeZoneNames.isIANA)
        let west = name.hasPrefix("Etc/") ? " (Etc/ names count west of UTC)" : ""
        return "'\(name)' is \(formatted(offset)) all year\(west), without daylight saving time; "
            + "to follow the clock of a place that changes, name the place, like \(list(zones, total: zones.count, what: formatted(offset) + " in winter"))"
    }
}
