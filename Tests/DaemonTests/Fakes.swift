import AppFlow
import Foundation
import JobFile
import Ledger
import Synchronization
@testable import Daemon

/// A wall clock the test moves by hand; sleepers wake when it passes their deadline.
final class ManualClock: DaemonClock {
    private struct Sleeper {
        var id: UInt64
        var deadline: Int64
        var continuation: CheckedContinuation<Void, any Error>
    }
    private struct State {
        var now: Int64
        var sleepers: [Sleeper] = []
        var nextId: UInt64 = 0
    }
    private let state: Mutex<State>

    init(nowMs: Int64) { state = Mutex(State(now: nowMs)) }

    func nowMs() -> Int64 { state.withLock { $0.now } }

    var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    func sleep(untilMs wallMs: Int64) async throws {
        let id = state.withLock { s -> UInt64 in s.nextId += 1; return s.nextId }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow = state.withLock { s -> Bool in
                    if wallMs <= s.now { return true }
                    s.sleepers.append(Sleeper(id: id, deadline: wallMs, continuation: continuation))
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let cancelled = state.withLock { s -> Sleeper? in
                guard let index = s.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return s.sleepers.remove(at: index)
            }
            cancelled?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Sets the clock (forward or back) and wakes every sleeper whose deadline has passed.
    func set(_ nowMs: Int64) {
        let due = state.withLock { s -> [Sleeper] in
            s.now = nowMs
            let due = s.sleepers.filter { $0.deadline <= nowMs }
            s.sleepers.removeAll { $0.deadline <= nowMs }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    func advance(byMs: Int64) { set(nowMs() + byMs) }
}

/// Answers StartFlow from a script and records every call in order.
final class FakeStarter: FlowStarter {
    struct Call: Equatable { var flow: String; var token: String }
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

    func startFlow(region: String?, flowName: String, clientToken: String) async throws -> StartFlowResult {
        calls.withLock { $0.append(Call(flow: flowName, token: clientToken)) }
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

    func findExecution(region: String?, flowName: String, executionId: String) async throws -> FlowExecution? {
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

/// Waits (yielding, with a generous bound) until a condition holds; never used to measure time.
func eventually(_ what: String = "condition", within seconds: Double = 10, _ condition: () async -> Bool) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while !(await condition()) {
        if Date() > deadline { throw TimedOut(what: what) }
        try await Task.sleep(for: .milliseconds(2))
    }
}

struct TimedOut: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
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
