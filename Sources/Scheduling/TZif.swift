/// A TZif file (RFC 8536) of the system's tz database, read for what Foundation does not tell:
/// the zone's abbreviations (`CET`, `CEST`) and, in the footer, its current rules. Pure parsing
/// of bytes; the callers read the files (`TimeZoneNames.zoneInfoDirectory`).
package enum TZif {
    package struct LocalTimeType: Equatable, Sendable {
        package var offset: Int
        package var isDST: Bool
        package var abbreviation: String
    }

    package struct Malformed: Error {}

    /// Parses a TZif file (RFC 8536), using the 64-bit block of version 2+ files.
    package static func parse(_ bytes: [UInt8]) throws -> [LocalTimeType] {
        try parseFile(bytes).types
    }

    /// The local-time types (see ``parse(_:)``) and, for version 2+ files, the footer: the POSIX
    /// TZ string for instants after the last transition, i.e. the zone's current rules.
    package static func parseFile(_ bytes: [UInt8]) throws -> (types: [LocalTimeType], footer: String?) {
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
