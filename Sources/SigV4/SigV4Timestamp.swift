import Primitives
import Foundation

/// The SigV4 timestamp "yyyyMMdd'T'HHmmss'Z'" in UTC, formatted and parsed by hand:
/// a DateFormatter would cost more than the rest of a signature, and sub-second parts
/// are truncated as botocore's strftime does.
package struct SigV4Timestamp: Sendable, Equatable {
    /// "20261125T010017Z"
    package let amzDate: String
    /// Whole seconds since the Unix epoch.
    package let epochSeconds: Int64

    /// "20261125", the date part of the credential scope.
    package var dateStamp: String { String(amzDate.prefix(8)) }

    package var date: Date { Date(timeIntervalSince1970: TimeInterval(epochSeconds)) }

    package init(_ date: Date) {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        self.epochSeconds = seconds
        self.amzDate = Self.format(seconds)
    }

    /// Parses the basic ISO 8601 form AWS requires; nil for anything else.
    package init?(amzDate: String) {
        let bytes = Array(amzDate.utf8)
        guard bytes.count == 16, bytes[8] == UInt8(ascii: "T"), bytes[15] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for byte in bytes[range] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
              let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15),
              (1...12).contains(month), day >= 1, day <= CivilTime.daysInMonth(year: year, month: Int(month)),
              hour < 24, minute < 60, second < 60
        else { return nil }
        let days = CivilTime.days(year: year, month: Int(month), day: Int(day))
        self.epochSeconds = days * 86_400 + hour * 3_600 + minute * 60 + second
        self.amzDate = amzDate
    }

    private static func format(_ seconds: Int64) -> String {
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let (year, month, day) = CivilTime.date(days: days)
        var out: [UInt8] = []
        out.reserveCapacity(16)
        func put(_ value: Int64, width: Int) {
            var digits = [UInt8](repeating: UInt8(ascii: "0"), count: width)
            var rest = value
            for index in stride(from: width - 1, through: 0, by: -1) {
                digits[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
            out.append(contentsOf: digits)
        }
        put(year, width: 4)
        put(Int64(month), width: 2)
        put(Int64(day), width: 2)
        out.append(UInt8(ascii: "T"))
        put(secondOfDay / 3_600, width: 2)
        put(secondOfDay % 3_600 / 60, width: 2)
        put(secondOfDay % 60, width: 2)
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }
}
