import AppFlow
import Foundation
import JobFile
import Ledger
import Logging
import Scheduling
import Testing
import TestSupport
@testable import Daemon
@testable import MetricsExport

/// The runtime's metrics, read back from the Prometheus text it would serve, with a manual
/// clock and a scripted AppFlow: every value is known exactly.
@Suite(.timeLimit(.minutes(2)))
struct DaemonMetricsTests {
    static let t0 = ServiceHarness.t0
    typealias Harness = ServiceHarness

    @Test func retriedStartIsCountedOnceAsStartedWithItsRetryAndError() async throws {
        let starter = FakeStarter()
        let slot = Self.t0 + 60
        let token = ClientToken.make(salt: "", job: "a", flow: "fa", slot: slot)
        starter.fail(token: token, with: [AppFlowServiceError(code: "InternalServerException", message: "boom", statusCode: 500)])
        let h = try await Harness("[retry]\ninitial_backoff = \"10s\"\n[[job]]\nname = \"a\"\nflow = \"fa\"\nevery = \"1m\"\n", starter: starter)
        #expect(h.samples["appflowd_jobs"] == 1)
        #expect(h.samples["appflowd_next_fire_timestamp_seconds", ["job_name": "a"]] == Double(slot))
        #expect(h.samples["appflowd_schedule_interval_seconds", ["job_name": "a"]] == 60)
        #expect(h.samples["appflowd_last_success_timestamp_seconds", ["job_name": "a"]] == nil, "never succeeded")

        h.clock.advance(to: slot * 1000 + 250)  // 250 ms late
        try await eventually("retry sleeping") { h.samples["appflowd_retries_total", ["flow_name": "fa"]] == 1 }
        #expect(h.samples["appflowd_retries_total", ["flow_name": "fa"]] == 1)
        #expect(h.samples["appflowd_errors_total", ["operation": "StartFlow", "code": "InternalServerException"]] == 1)
        #expect(h.samples["appflowd_next_fire_timestamp_seconds", ["job_name": "a"]] == Double(slot + 60))

        h.clock.advance(to: slot * 1000 + 250 + 5_000)  // backoff with random 0.5: 5 s
        try await eventually("started") { h.started == 1 }
        let s = h.samples
        #expect(s["appflowd_starts_total", ["flow_name": "fa", "outcome": "started"]] == 1)
        #expect(s["appflowd_start_latency_seconds_count"] == 2, "one per StartFlow call")
        #expect(s["appflowd_fire_lateness_seconds_count"] == 1, "one per slot, at its first attempt")
        #expect(s["appflowd_fire_lateness_seconds_sum"] == 0.25)
        #expect(s["appflowd_fire_lateness_seconds_bucket", ["le": "0.1"]] == 0)
        #expect(s["appflowd_fire_lateness_seconds_bucket", ["le": "0.5"]] == 1)
        #expect(s["appflowd_in_flight_calls"] == 0)
        #expect(s["appflowd_last_success_timestamp_seconds", ["job_name": "a"]] == Double(slot) + 5.25)
        try await h.stop()
    }

    // Issue 18, item 4: every distinct code would be a series kept for the daemon's life.
    @Test func errorCodeLabelsAreBoundedAndTheRestCountedAsOther() {
        let metrics = DaemonMetrics.prometheus()
        for index in 0..<200 {
            metrics.error(operation: "StartFlow", code: "HostileCode\(index)")
        }
        metrics.error(operation: "StartFlow", code: "ThrottlingException")
        metrics.error(operation: "StartFlow", code: "HostileCode0")
        let samples = Samples(text: metrics.exposition())
        let codes = Set(samples.all.filter { $0.name == "appflowd_errors_total" }.compactMap { $0.labels["code"] })
        #expect(codes.count == 16 + 2, "16 first-come codes, the known one, and other")
        #expect(samples["appflowd_errors_total", ["operation": "StartFlow", "code": "other"]] == 184)
        #expect(samples["appflowd_errors_total", ["operation": "StartFlow", "code": "HostileCode0"]] == 2)
        #expect(samples["appflowd_errors_total", ["operation": "StartFlow", "code": "ThrottlingException"]] == 1, "known codes always keep their label")
        #expect(samples.sum("appflowd_errors_total") == 202)
    }

    @Test func followedRunsCountTheirEndAndOnlySuccessMovesLastSuccess() async throws {
        let h = try await Harness("[[job]]\nname = \"w\"\nflow = \"fw\"\nevery = \"1m\"\nwait = true\n")
        (h.starter as! FakeStarter).executionStatus.withLock { $0 = "Error" }
        h.clock.advance(to: (Self.t0 + 60) * 1000)
        try await eventually("started") { h.started == 1 }
        #expect(h.samples["appflowd_last_success_timestamp_seconds", ["job_name": "w"]] == nil, "a started run is not a success yet")
        h.clock.advance(to: (Self.t0 + 62) * 1000)  // the first poll, 2 s later
        try await eventually("errored") { h.samples["appflowd_runs_total", ["flow_name": "fw", "outcome": "errored"]] == 1 }
        #expect(h.samples["appflowd_last_success_timestamp_seconds", ["job_name": "w"]] == nil)
        (h.starter as! FakeStarter).executionStatus.withLock { $0 = "Successful" }
        h.clock.advance(to: (Self.t0 + 120) * 1000)
        try await eventually("second start") { h.started == 2 }
        h.clock.advance(to: (Self.t0 + 122) * 1000)
        try await eventually("succeeded") { h.samples["appflowd_runs_total", ["flow_name": "fw", "outcome": "succeeded"]] == 1 }
        #expect(h.samples["appflowd_last_success_timestamp_seconds", ["job_name": "w"]] == Double(Self.t0 + 122))
        #expect(h.samples["appflowd_starts_total", ["flow_name": "fw", "outcome": "started"]] == 2)
        try await h.stop()
    }

    @Test func lastSuccessSurvivesARestartAndReloadDropsRemovedJobs() async throws {
        let directory = temporaryDirectory()
        let toml = "[[job]]\nname = \"a\"\nflow = \"fa\"\nevery = \"1m\"\n[[job]]\nname = \"b\"\nflow = \"fb\"\nevery = \"1h\"\n"
        let first = try await Harness(toml, directory: directory)
        first.clock.advance(to: (Self.t0 + 60) * 1000)
        try await eventually("started") { first.started == 1 }
        try await first.stop(keep: true)

        let second = try await Harness(toml, directory: directory)
        #expect(second.samples["appflowd_last_success_timestamp_seconds", ["job_name": "a"]] == Double(Self.t0 + 60), "read back from the ledger")
        #expect(second.samples["appflowd_jobs"] == 2)
        try await second.reload("[[job]]\nname = \"a\"\nflow = \"fa\"\nevery = \"1m\"\n")
        let s = second.samples
        #expect(s["appflowd_jobs"] == 1)
        #expect(s["appflowd_next_fire_timestamp_seconds", ["job_name": "b"]] == nil)
        #expect(s["appflowd_next_fire_timestamp_seconds", ["job_name": "a"]] != nil)
        try await second.stop()
    }

    @Test func disabledMetricsRenderNothing() {
        #expect(DaemonMetrics.disabled.exposition().isEmpty)
    }
}
