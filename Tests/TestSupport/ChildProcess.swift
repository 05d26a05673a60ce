import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A running child process that tests await. Its exit arrives through `terminationHandler` and
/// its output through two reader threads of its own, so no thread of the cooperative pool ever
/// blocks on it. Standard input is `/dev/null` unless `input` is given.
package final class ChildProcess: Sendable {
    package let pid: Int32
    private let process: Mutex<Process>
    private let shared: Shared

    /// Starts `executable` (an absolute path). `environment` nil inherits the test's.
    package init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, input: Data? = nil) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let inputPipe = input.map { _ in Pipe() }
        process.standardInput = inputPipe ?? FileHandle.nullDevice
        let shared = Shared()
        process.terminationHandler = { shared.exited(status: $0.terminationStatus) }
        if inputPipe != nil {
            // A child that exits without reading all of its input must not kill the test run.
            Glibc.signal(SIGPIPE, SIG_IGN)
        }
        try process.run()
        pid = process.processIdentifier
        self.process = Mutex(process)
        self.shared = shared
        Self.drain(output.fileHandleForReading, into: .output, of: shared)
        Self.drain(errors.fileHandleForReading, into: .errors, of: shared)
        if let inputPipe, let input {
            // Written from a thread of its own so a large input cannot deadlock against a full
            // output pipe; closing it tells the child the input is complete.
            let handle = inputPipe.fileHandleForWriting
            Thread {
                try? handle.write(contentsOf: input)
                try? handle.close()
            }.start()
        }
    }

    /// A backstop for a test that threw before stopping its child: kill, never wait.
    deinit {
        if shared.status == nil { kill(pid, SIGKILL) }
    }

    /// Standard output so far.
    package var standardOutput: String { shared.text(.output) }

    /// Standard error so far.
    package var standardError: String { shared.text(.errors) }

    /// Whether the child has not exited yet.
    package var isRunning: Bool { shared.status == nil }

    package func signal(_ number: Int32) {
        if isRunning { kill(pid, number) }
    }

    /// The exit status (the signal number if a signal ended it), once the child has exited and
    /// both of its output pipes are closed; nil if that takes longer than `limit`.
    package func exitStatus(within limit: Duration) async -> Int32? {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.shared.finished() }
            group.addTask { try? await Task.sleep(for: limit) }
            await group.next()
            group.cancelAll()
        }
        return shared.finishedStatus
    }

    /// Asks the child to stop (SIGTERM), then kills it if it has not exited within `grace`.
    package func stop(grace: Duration = .seconds(5)) async {
        signal(SIGTERM)
        if await exitStatus(within: grace) == nil {
            signal(SIGKILL)
            _ = await exitStatus(within: grace)
        }
    }

    /// Reads `handle` to its end on a thread of its own.
    private static func drain(_ handle: FileHandle, into stream: Shared.Stream, of shared: Shared) {
        Thread {
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(handle.fileDescriptor, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                shared.append(buffer[..<count], to: stream)
            }
            // Closed here rather than whenever the Process lets go of its Pipe.
            try? handle.close()
            shared.closed()
        }.start()
    }

    /// What the termination handler and the reader threads report, and who waits for the end.
    private final class Shared: Sendable {
        enum Stream { case output, errors }

        struct State {
            var output = Data()
            var errors = Data()
            var openPipes = 2
            var status: Int32?
            var nextWaiter = 0
            var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
            var isFinished: Bool { status != nil && openPipes == 0 }
        }

        private let state = Mutex(State())

        var status: Int32? { state.withLock { $0.status } }
        var finishedStatus: Int32? { state.withLock { $0.isFinished ? $0.status : nil } }

        func text(_ stream: Stream) -> String {
            let data = state.withLock { stream == .output ? $0.output : $0.errors }
            return String(decoding: data, as: UTF8.self)
        }

        func append(_ bytes: ArraySlice<UInt8>, to stream: Stream) {
            state.withLock { state in
                switch stream {
                case .output: state.output.append(contentsOf: bytes)
                case .errors: state.errors.append(contentsOf: bytes)
                }
            }
        }

        func exited(status: Int32) {
            resume { $0.status = status }
        }

        func closed() {
            resume { $0.openPipes -= 1 }
        }

        private func resume(after change: (inout State) -> Void) {
            let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
                change(&state)
                guard state.isFinished else { return [] }
                defer { state.waiters = [:] }
                return Array(state.waiters.values)
            }
            for waiter in waiters { waiter.resume() }
        }

        /// Returns when the child has exited and its pipes are closed, or when the task is cancelled.
        func finished() async {
            let id = state.withLock { state -> Int in
                state.nextWaiter += 1
                return state.nextWaiter
            }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
                    let now = state.withLock { state -> Bool in
                        if state.isFinished || Task.isCancelled { return true }
                        state.waiters[id] = waiter
                        return false
                    }
                    if now { waiter.resume() }
                }
            } onCancel: {
                state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
            }
        }
    }
}
