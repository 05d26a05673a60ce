import Foundation
import Testing
@testable import Ledger

@Suite(.timeLimit(.minutes(5))) struct LedgerReaderTests {
    /// Reads the ledger over and over on its own thread until `stop` is set, checking that
    /// every read succeeds and that no read goes back in time.
    private final class ReaderLoop: @unchecked Sendable {
        let directory: String
        private let lock = NSLock()
        private var stop = false
        private(set) var reads = 0
        private(set) var problems: [String] = []

        init(directory: String) {
            self.directory = directory
        }

        func run() async {
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                let thread = Thread { [self] in
                    loop()
                    done.resume()
                }
                thread.start()
            }
        }

        func finish() {
            lock.withLock { stop = true }
        }

        private func loop() {
            var lastSent = 0
            while !lock.withLock({ stop }) {
                do {
                    let state = try LedgerReader.read(directory: directory, historyLimit: 1_000)
                    let sent = state.jobs.values.reduce(0) { $0 + $1.history.count }
                    if sent < lastSent { lock.withLock { problems.append("went back from \(lastSent) to \(sent)") } }
                    lastSent = sent
                    lock.withLock { reads += 1 }
                } catch {
                    lock.withLock { problems.append("\(error)") }
                }
            }
        }
    }

    @Test func readsWhileTheDaemonAppendsAndCompacts() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (ledger, _) = try await openLedger(dir.stateDirectory, historyLimit: 1_000, compactionMinimumBytes: 2_048)
        let reader = ReaderLoop(directory: dir.stateDirectory)
        async let reading: Void = reader.run()
        for index in 0..<1_500 {
            let slot = Records.base + Int64(index / 3) * 60
            try await ledger.append(Records.skipped("job-\(index % 3)", slot, at: Double(index)))
            if index % 500 == 250 { try ledger.compact() }
        }
        reader.finish()
        await reading
        #expect(reader.problems.isEmpty, "\(reader.problems.prefix(3))")
        #expect(reader.reads > 0)
        #expect(ledger.compactionCount >= 3)
        #expect(try LedgerReader.read(directory: dir.stateDirectory, historyLimit: 1_000) == ledger.state())
        ledger.close()
    }
}
