import AppFlow
import Foundation
import TestSupport
import JobFile
import Ledger
import Synchronization
@testable import Daemon
import Scheduler

/// Answers StartFlow from a script and records every call in order.
final class FakeStarter: FlowStarter {
    struct Call: Equatable { var flow: String; var token: String }
    private let targetsSeen = Mutex<[String: CallTarget]>([:])
    /// The region and role of each flow's last StartFlow.
    var targets: [String: CallTarget] { targetsSeen.withLock { $0 } }
    private let calls = Mutex<[Call]>([])
    private let failures = Mutex<[String: [any Error & Sendable]]>([:])
    private let executions = Mutex<[String: String]>([:])
    let activated: Set<String>

    init(activated: Set<String> = []) { self.activated = activated }

    var recorded: [Call] { calls.withLock { $0 } }

    /// The next calls with this token fail with these errors, in order.
    func fail(token: String, with errors: [any Error & Sendable]) {
        failures.withLock { $0[token] = errors }
    }

    func startFlow(target: CallTarget, flowName: String, clientToken: String) async throws -> StartFlowResult {
        calls.withLock { $0.append(Call(flow: flowName, token: clientToken)) }
        targetsSeen.withLock { $0[flowName] = target }
        if let error = failures.withLock({ f -> (any Error)? in
            guard var queue = f[clientToken], !queue.isEmpty else { return nil }
            let first = queue.removeFirst()
            f[clientToken] = queue
            return first
        }) {
            throw error
        }
        if activated.contains(flowName) {
            return StartFlowResult(flowArn: "arn:test:flow/\(flowName)", flowStatus: "Active", executionId: nil)
        }
        let id = executions.withLock { e -> String in
            if let existing = e[clientToken] { return existing }
            let new = "exec-\(e.count + 1)"
            e[clientToken] = new
            return new
        }
        return StartFlowResult(flowArn: "arn:test:flow/\(flowName)", flowStatus: "Active", executionId: id)
    }

    let executionStatus = Mutex<String>("Successful")

    func findExecution(target: CallTarget, flowName: String, executionId: String) async throws -> FlowExecution? {
        var execution = FlowExecution(executionId: executionId, executionStatus: executionStatus.withLock { $0 })
        execution.recordsProcessed = 42
        return execution
    }
}

/// Records what the daemon told its supervisor.
final class RecordingNotifier: DaemonNotifier {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }
    func ready(status: String) { lines.withLock { $0.append("READY=1 STATUS=\(status)") } }
    func reloading(status: String) { lines.withLock { $0.append("RELOADING=1") } }
    func stopping(status: String) { lines.withLock { $0.append("STOPPING=1") } }
    func status(_ text: String) { lines.withLock { $0.append("STATUS=\(text)") } }
    func watchdog() { lines.withLock { $0.append("WATCHDOG=1") } }
}

/// A job file from TOML text, failing the test on any diagnostic.
func jobFile(_ text: String, now: Int64 = 1_800_000_000) throws -> JobFile {
    let (file, diagnostics) = JobFileLoader.parse(text, fileName: "test.toml", now: now)
    guard let file else { throw JobFileProblem(diagnostics: diagnostics.map(\.description)) }
    return file
}

struct JobFileProblem: Error { var diagnostics: [String] }

func temporaryDirectory() -> String {
    let path = NSTemporaryDirectory() + "appflowd-daemon-test-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
