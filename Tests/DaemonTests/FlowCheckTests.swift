import AppFlow
import Foundation
import JobFile
import Scheduler
import Synchronization
import Testing
@testable import Daemon

/// `FlowCheck`: DescribeFlow per enabled job, one call per flow and region, bounded, retried by
/// the jobs' `[retry]` rules. A scripted describer, no network, no sleeping.
@Suite(.timeLimit(.minutes(2)))
struct FlowCheckTests {
    final class FakeDescriber: FlowDescriber {
        struct State {
            var calls: [String] = []
            var failures: [String: [any Error & Sendable]] = [:]
            var inFlight = 0
            var maxInFlight = 0
        }

        let state = Mutex(State())
        let defaultRegion = "eu-west-1"

        var calls: [String] { state.withLock { $0.calls } }
        var maxInFlight: Int { state.withLock { $0.maxInFlight } }

        func fail(_ flow: String, with errors: [any Error & Sendable]) {
            state.withLock { $0.failures[flow] = errors }
        }

        func region(for job: Job) throws -> String {
            guard job.region != "nowhere" else { throw CocoaError(.featureUnsupported) }
            return job.region ?? defaultRegion
        }

        func describeFlow(for job: Job) async throws -> FlowDescription {
            let region = try region(for: job)
            let error = state.withLock { state -> (any Error)? in
                state.calls.append("\(region)/\(job.flow)")
                state.inFlight += 1
                state.maxInFlight = max(state.maxInFlight, state.inFlight)
                guard var queue = state.failures[job.flow], !queue.isEmpty else { return nil }
                let first = queue.removeFirst()
                state.failures[job.flow] = queue
                return first
            }
            // Let the other calls in flight get as far as they can.
            for _ in 0..<5 { await Task.yield() }
            state.withLock { $0.inFlight -= 1 }
            if let error { throw error }
            return FlowDescription(flowArn: "arn:aws:appflow:\(region):1:flow/\(job.flow)", flowName: job.flow, flowStatus: "Active",
                                   triggerType: "OnDemand")
        }
    }

    final class Sleeps: Sendable {
        let slept = Mutex<[Duration]>([])
        func sleep(_ duration: Duration) async throws { slept.withLock { $0.append(duration) } }
    }

    static func check(_ describer: FakeDescriber, concurrency: Int = 8, sleeps: Sleeps = Sleeps()) -> FlowCheck {
        FlowCheck(describer: describer, concurrency: concurrency, nowMs: { 1_800_000_000_000 }, random: { 0.5 },
                  sleep: { try await sleeps.sleep($0) })
    }

    @Test func oneCallPerFlowAndRegionAndDisabledJobsNotAsked() async throws {
        let file = try jobFile("""
            [[job]]
            name = "a"
            flow = "accounts"
            every = "1h"
            [[job]]
            name = "a2"
            flow = "accounts"
            every = "2h"
            [[job]]
            name = "a-us"
            flow = "accounts"
            every = "1h"
            region = "us-east-1"
            [[job]]
            name = "off"
            flow = "other"
            every = "1h"
            enabled = false
            """)
        let describer = FakeDescriber()
        let answers = await Self.check(describer).run(jobs: file.jobs)
        #expect(answers.map(\.job.name) == ["a", "a2", "a-us"])
        #expect(answers.map(\.region) == ["eu-west-1", "eu-west-1", "us-east-1"])
        #expect(describer.calls.sorted() == ["eu-west-1/accounts", "us-east-1/accounts"])
        let arns = answers.map { (try? $0.result.get())?.flowArn }
        #expect(arns == ["arn:aws:appflow:eu-west-1:1:flow/accounts", "arn:aws:appflow:eu-west-1:1:flow/accounts",
                         "arn:aws:appflow:us-east-1:1:flow/accounts"])
    }

    @Test func atMostConcurrencyCallsInFlight() async throws {
        let jobs = (0..<24).map { "[[job]]\nname = \"j\($0)\"\nflow = \"flow-\($0)\"\nevery = \"1h\"\n" }.joined()
        let describer = FakeDescriber()
        let answers = await Self.check(describer, concurrency: 3).run(jobs: try jobFile(jobs).jobs)
        #expect(answers.count == 24)
        #expect(describer.calls.count == 24)
        #expect(describer.maxInFlight <= 3)
        #expect(describer.maxInFlight >= 1)
    }

    @Test func throttlingIsRetriedWithTheJobsBackoffThenAnswers() async throws {
        let file = try jobFile("""
            [[job]]
            flow = "busy"
            every = "1h"
            [job.retry]
            max_attempts = 5
            initial_backoff = "2s"
            """)
        let describer = FakeDescriber()
        let throttled = AppFlowServiceError(code: "ThrottlingException", message: "Rate exceeded", statusCode: 400)
        describer.fail("busy", with: [throttled, throttled])
        let sleeps = Sleeps()
        let answers = await Self.check(describer, sleeps: sleeps).run(jobs: file.jobs)
        #expect(describer.calls.count == 3)
        #expect(throws: Never.self) { try answers[0].result.get() }
        // Full jitter with the draw fixed at 0.5: half of 2 s, then half of 4 s.
        #expect(sleeps.slept.withLock { $0 } == [.seconds(1), .seconds(2)])
    }

    @Test func givingUpSaysAfterHowManyAttempts() async throws {
        let file = try jobFile("""
            [[job]]
            flow = "down"
            every = "1h"
            [job.retry]
            max_attempts = 2
            """)
        let describer = FakeDescriber()
        let error = AppFlowServiceError(code: "InternalServerException", message: "oops", statusCode: 500)
        describer.fail("down", with: [error, error, error])
        let answers = await Self.check(describer).run(jobs: file.jobs)
        #expect(describer.calls.count == 2)
        guard case .failure(let failure) = answers[0].result else { Issue.record("expected a failure"); return }
        #expect(failure.code == "InternalServerException")
        #expect(failure.message == "oops (gave up after 2 attempts)")
    }

    @Test(arguments: ["ResourceNotFoundException", "AccessDeniedException", "InvalidSignatureException", "ValidationException"])
    func permanentErrorsAreAskedOnce(code: String) async throws {
        let file = try jobFile("[[job]]\nflow = \"f1\"\nevery = \"1h\"\n")
        let describer = FakeDescriber()
        describer.fail("f1", with: [AppFlowServiceError(code: code, message: "no", statusCode: 403)])
        let answers = await Self.check(describer).run(jobs: file.jobs)
        #expect(describer.calls.count == 1)
        guard case .failure(let failure) = answers[0].result else { Issue.record("expected a failure"); return }
        #expect(failure.code == code && failure.message == "no")
    }

    @Test func aJobWhoseRegionCannotBeResolvedIsAnErrorWithoutACall() async throws {
        let file = try jobFile("[[job]]\nflow = \"f1\"\nevery = \"1h\"\nregion = \"nowhere\"\n")
        let describer = FakeDescriber()
        let answers = await Self.check(describer).run(jobs: file.jobs)
        #expect(describer.calls.isEmpty)
        #expect(answers.first?.region == "nowhere")
        guard case .failure(let failure) = answers.first?.result else { Issue.record("expected a failure"); return }
        #expect(failure.code == "ConfigurationError")
    }
}
