/// Turns swift-log metadata keys into journal field names journald accepts.
///
/// journald keeps only fields whose names are `[A-Z0-9_]`, at most 64 characters, not starting
/// with a digit, and not starting with `_` (those are trusted fields that only journald sets).
/// A key is uppercased, every other character becomes `_`, and leading `_` and digits are
/// dropped: `job_name` -> `JOB_NAME`, `error.message` -> `ERROR_MESSAGE`, `_x` -> `X`.
enum JournalFieldName {
    /// Fields every entry carries; a metadata key that maps onto one of them is prefixed with
    /// `METADATA_` so it cannot pose as, say, the entry's `PRIORITY`.
    static let reserved: Set<String> = [
        "MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER", "LOGGER_LABEL", "CODE_FILE", "CODE_LINE", "CODE_FUNC",
    ]

    /// The name used for a key with no usable character at all, such as `"__"` or `"42"`.
    static let fallback = "METADATA"

    static let maximumLength = 64

    static func forMetadataKey(_ key: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in key.unicodeScalars {
            switch scalar {
            case "A"..."Z", "0"..."9", "_":
                scalars.append(scalar)
            case "a"..."z":
                // ASCII only: String.uppercased() would turn "ß" into "SS" and "ı" into "I".
                scalars.append(Unicode.Scalar(UInt8(scalar.value) - 0x20))
            default:
                scalars.append("_")
            }
        }
        var name = String(scalars.drop { $0 == "_" || ("0"..."9").contains($0) })
        if name.isEmpty {
            name = fallback
        } else if reserved.contains(name) {
            name = fallback + "_" + name
        }
        return String(name.prefix(maximumLength))
    }
}
