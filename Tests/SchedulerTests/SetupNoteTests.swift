import JobFile
import Testing
@testable import Scheduler

/// The note on what the daemon runs with (the credential source, or none) ends STATUS= from
/// READY on, and a reload's `setupChecked` replaces it: the machine stays pure, the executor
/// finds the note.
@Suite(.timeLimit(.minutes(1)))
struct SetupNoteTests {
    static let toml = "timezone = \"UTC\"\n[[job]]\nname = \"a\"\nflow = \"fa\"\nevery = \"1h\"\n"
    static let ms: Int64 = 1_800_000_000 * 1000 + 10

    static func readyStatuses(_ log: [SchedulerAction]) -> [String] {
        log.compactMap { action in
            if case .notify(.ready(let status)) = action { return status }
            return nil
        }
    }

    @Test func theNoteEndsStatusFromReadyAndAReloadReplacesIt() throws {
        var configuration = SchedulerStateMachine.Configuration(stopGrace: .seconds(10))
        configuration.setupNote = "credentials: environment"
        var d = try SchedulerDriver(Self.toml, nowMs: Self.ms, configuration: configuration)
        #expect(Self.readyStatuses(d.log).last?.hasSuffix(" | credentials: environment") == true, "\(d.log)")
        d.send(.reloadRequested)
        d.send(.setupChecked("NO USABLE AWS CREDENTIALS: every start will fail (see the log)"))
        d.send(.reloadLoaded(try jobFile(Self.toml)))
        let after = try #require(Self.readyStatuses(d.log).last)
        #expect(after.hasSuffix(" | NO USABLE AWS CREDENTIALS: every start will fail (see the log)"), "\(after)")
        #expect(!after.contains("credentials: environment"))
    }
}
