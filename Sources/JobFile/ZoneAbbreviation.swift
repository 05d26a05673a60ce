import Foundation
import Synchronization

/// Time-zone abbreviations (`CET`, `CEST`, `EST`) as the system's tz database names them.
/// Foundation on Linux answers `GMT+1`; `systemctl list-timers` and operators say `CET`. The
/// abbreviation is read from the zone's TZif file: the most recently used local-time type whose
/// offset and daylight-saving flag match Foundation's answer for that instant (which also covers
/// instants after the file's last transition). Falls back to Foundation's answer.
package enum ZoneAbbreviation {
    struct LocalTimeType: Equatable {
        var offset: Int
        var isDST: Bool
        var abbreviation: String
    }

    private static let cache = Mutex<[String: [LocalTimeType]]>([:])
    static let zoneInfoDirectory = "/usr/share/zoneinfo"

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
    static func localTimeTypes(_ identifier: String) -> [LocalTimeType] {
        if let cached = cache.withLock({ $0[identifier] }) { return cached }
        var types: [LocalTimeType] = []
        if !identifier.contains(".."), let data = FileManager.default.contents(atPath: zoneInfoDirectory + "/" + identifier) {
            types = (try? parse(Array(data))) ?? []
        }
        cache.withLock { $0[identifier] = types }
        return types
    }

    struct Malformed: Error {}

    /// Parses a TZif file (RFC 8536), using the 64-bit block of version 2+ files.
    static func parse(_ bytes: [UInt8]) throws -> [LocalTimeType] {
        try parseFile(bytes).types
    }

    /// The local-time types (see ``parse(_:)``) and, for version 2+ files, the footer: the POSIX
    /// TZ string for instants after the last transition, i.e. the zone's current rules.
    static func parseFile(_ bytes: [UInt8]) throws -> (types: [LocalTimeType], footer: String?) {
        var reader = Reader(bytes: bytes)
        func header() throws -> (version: UInt8, counts: [Int]) {
            guard try reader.take(4) == Array("TZif".utf8) else { throw Malformed() }
            let version = try reader.take(1)[0]
            _ = try reader.take(15)
            return (version, try (0..<6).map { _ in Int(try reader.uint32()) })
        }
        var (version, counts) = try header()
        var timeSize = 4
        if version >= 0x32 {  // '2': skip the 32-bit block, read the 64-bit one
            try reader.skip(block: counts, timeSize: 4)
            (version, counts) = try header()
            timeSize = 8
        }
        let (isUTCCount, isStdCount, leapCount, timeCount, typeCount, charCount) = (counts[0], counts[1], counts[2], counts[3], counts[4], counts[5])
        _ = try reader.take(timeCount * timeSize)
        let indices = try reader.take(timeCount).map(Int.init)
        var raw: [(offset: Int, isDST: Bool, index: Int)] = []
        for _ in 0..<typeCount {
            let offset = Int(Int32(bitPattern: try reader.uint32()))
            let flags = try reader.take(2)
            raw.append((offset, flags[0] != 0, Int(flags[1])))
        }
        let chars = try reader.take(charCount)
        var footer: String?
        if version >= 0x32 {
            _ = try reader.take(leapCount * (timeSize + 4) + isStdCount + isUTCCount)
            let rest = bytes[reader.position...]
            if rest.first == 0x0A, let end = rest.dropFirst().firstIndex(of: 0x0A) {
                footer = String(decoding: rest[(rest.startIndex + 1)..<end], as: UTF8.self)
            }
        }
        func name(_ start: Int) -> String {
            guard start < chars.count else { return "" }
            let end = chars[start...].firstIndex(of: 0) ?? chars.count
            return String(decoding: chars[start..<end], as: UTF8.self)
        }
        let all = raw.map { LocalTimeType(offset: $0.offset, isDST: $0.isDST, abbreviation: name($0.index)) }
        // Order by last use: types used late in the table win over historical ones (LMT, CEMT...).
        var order: [Int] = []
        for index in indices where index < all.count {
            order.removeAll { $0 == index }
            order.append(index)
        }
        if order.isEmpty { order = Array(all.indices) }
        return (order.map { all[$0] }, footer)
    }

    struct Reader {
        let bytes: [UInt8]
        var position = 0

        mutating func take(_ count: Int) throws -> [UInt8] {
            guard count >= 0, position + count <= bytes.count else { throw Malformed() }
            defer { position += count }
            return Array(bytes[position..<position + count])
        }

        mutating func uint32() throws -> UInt32 {
            try take(4).reduce(0) { $0 << 8 | UInt32($1) }
        }

        mutating func skip(block counts: [Int], timeSize: Int) throws {
            let (isUTC, isStd, leap, time, type, char) = (counts[0], counts[1], counts[2], counts[3], counts[4], counts[5])
            _ = try take(time * timeSize + time + type * 6 + char + leap * (timeSize + 4) + isStd + isUTC)
        }
    }
}
