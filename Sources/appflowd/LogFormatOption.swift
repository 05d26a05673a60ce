import ArgumentParser
import Foundation
import Systemd

/// `--log-format text|json` for the commands that log (`run`, `start`).
struct LogFormatOption: ParsableArguments {
    @Option(
        name: .customLong("log-format"),
        help: "text or json: how logs are written where stderr is not the journal. Default: $APPFLOWD_LOG_FORMAT, else text."
    )
    var logFormat: String?

    func validate() throws {
        _ = try resolved()
    }

    /// The format to log in; a bad option or `APPFLOWD_LOG_FORMAT` is a usage error (exit 64).
    func resolved(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> LogFormat {
        do {
            return try LogFormat.resolve(option: logFormat, environment: environment)
        } catch {
            throw ValidationError(error.description)
        }
    }
}
