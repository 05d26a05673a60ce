import Dispatch
import Foundation

/// Waits for SIGTERM or SIGINT, so the emulator can close its listener and record cleanly.
final class ShutdownSignals {
    private let sources: [any DispatchSourceSignal]
    private let stream: AsyncStream<Int32>

    init() {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        self.stream = stream
        var sources: [any DispatchSourceSignal] = []
        for signalNumber in [SIGTERM, SIGINT] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { continuation.yield(signalNumber) }
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }

    func wait() async {
        for await _ in stream { break }
        for source in sources { source.cancel() }
    }
}
