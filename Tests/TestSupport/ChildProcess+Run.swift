import Foundation

/// What a child that ran to completion said.
package struct ProcessOutput: Sendable {
    package var status: Int32
    package var stdout: String
    package var stderr: String
}

extension ChildProcess {
    /// Runs `executable` to completion and returns its status and output. A child still running
    /// after `timeout` is stopped and `TimedOut` thrown with its stderr, so a hung program fails
    /// the test instead of hanging it.
    package static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, input: Data? = nil,
        timeout: Duration = .seconds(120)
    ) async throws -> ProcessOutput {
        let child = try ChildProcess(executable, arguments, environment: environment, input: input)
        guard let status = await child.exitStatus(within: timeout) else {
            await child.stop()
            throw TimedOut(what: "\(executable) to exit", log: child.standardError)
        }
        return ProcessOutput(status: status, stdout: child.standardOutput, stderr: child.standardError)
    }
}
