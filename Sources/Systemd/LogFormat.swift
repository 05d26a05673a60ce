/// How log events are written where stderr is not the journal: `text`, one readable line per
/// event (the default), or `json`, one JSON object per line with the journal's fields in lower
/// case, as container log collectors (Fluent Bit, CloudWatch, Vector) expect.
///
/// Chosen by `--log-format`, else `APPFLOWD_LOG_FORMAT`, else `text`. Under journald the entries
/// are native journal entries whatever the format says.
package enum LogFormat: String, Sendable, CaseIterable {
    case text
    case json

    /// The environment variable that chooses the format when no option does.
    package static let environmentVariable = "APPFLOWD_LOG_FORMAT"

    /// A value that names no format, from the option or the environment.
    package struct UnknownFormat: Error, Sendable, Equatable, CustomStringConvertible {
        /// `--log-format` or `APPFLOWD_LOG_FORMAT`.
        package var source: String
        package var value: String
        package var description: String {
            "unknown \(source) '\(value)' (expected \(LogFormat.allCases.map(\.rawValue).joined(separator: " or ")))"
        }
    }

    /// The option's format when given, else the environment's, else `text`. An empty
    /// `APPFLOWD_LOG_FORMAT` counts as unset, as an empty `Environment=` line leaves it.
    package static func resolve(option: String?, environment: [String: String]) throws(UnknownFormat) -> LogFormat {
        if let option {
            guard let format = LogFormat(rawValue: option) else { throw UnknownFormat(source: "--log-format", value: option) }
            return format
        }
        guard let value = environment[environmentVariable], !value.isEmpty else { return .text }
        guard let format = LogFormat(rawValue: value) else { throw UnknownFormat(source: environmentVariable, value: value) }
        return format
    }
}
