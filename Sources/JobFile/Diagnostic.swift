/// One problem in a job file, printed like a compiler's: `FILE:LINE:COLUMN: error: MESSAGE`.
package struct Diagnostic: Sendable, Equatable, CustomStringConvertible {
    package enum Severity: String, Sendable {
        case error
        case warning
    }

    package var file: String
    /// 1-based.
    package var line: Int
    /// 1-based, in characters.
    package var column: Int
    package var severity: Severity
    package var message: String

    package init(file: String, line: Int, column: Int, severity: Severity, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.severity = severity
        self.message = message
    }

    package var description: String {
        "\(file):\(line):\(column): \(severity.rawValue): \(message)"
    }
}
