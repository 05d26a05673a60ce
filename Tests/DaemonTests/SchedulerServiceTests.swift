import AppFlow
import Foundation
import JobFile
import Ledger
import Scheduler
import Scheduling
import Synchronization
import Testing
import TestSupport
@testable import Daemon

/// The executor with a manual clock, a scripted AppFlow and a real ledger.
@Suite(.timeLimit(.minutes(2)))
struct SchedulerServiceTests {
    static let t0 = ServiceHarness.t0

    @Test func readyOnlyAfterLoadThenStartsOnTimeWithSpecTokens() async throws {
        let starter = FakeStarter()
        let h = try await ServiceHarness("[[job]]\nname = \"a\"\nflow = \"fa\"\nevery = \"1m\"\n", starter: starter)
        #expect(starter.recorded.isEmpty)
        #expect(h.notifier.all.first?.contains("next: a at 2027-01-15 08:01:00 UTC") == true)
        try await h.advance(to: (Self.t0 + 59) * 1000)
        #expect(starter.recorded.isEmpty, "nothing before the slot")
        h.clock.advance(to: (Self.t0 + 60) * 1000)
        try await eventually("first start") { starter.recorded.count == 1 }
        #expect(starter.recorded == [.init(flow: "fa", token: ClientToken.make(salt: "", job: "a", flow: "fa", slot: Self.t0 + 60))])
        try await eventually("ledger outcome") { h.ledger.state().jobs["a"]?.history.last?.outcome == .started }
        try await h.stop()
        #expect(h.notifier.all.contains("STOPPING=1"))
        #expect(h.notifier.all.filter { $0.hasPrefix("READY=1") }.count == 1)
    }

    @Test func eachJobsCallsCarryItsRoleAndARefusedRoleFailsOnlyItsOwnSlot() async throws {
        let starter = FakeStarter()
        let roleA = "arn:aws:iam::111111111111:role/runner-a"
        let roleB = "arn:aws:iam::222222222222:role/runner-b"
        let slot = Self.t0 + 3600
        let tokenB = ClientToken.make(salt: "", job: "b", flow: "fb", slot: slot)
        // What STS refusing the role looks like to the scheduler (CallFailure reads it).
        starter.fail(token: tokenB, with: [CredentialError(
            source: "STS AssumeRole for \(roleB)", message: "AccessDenied: not authorized to perform: sts:AssumeRole (HTTP 403)",
            code: "AccessDenied", retryable: false)])
        let h = try await ServiceHarness("""
            role_arn = "\(roleA)"
            external_id = "ext-a1"
            [[job]]
            name = "a"
            flow = "fa"
            every = "1h"
            [[job]]
            name = "b"
            flow = "fb"
            every = "1h"
            region = "eu-west-1"
            role_arn = "\(roleB)"
            external_id = ""
            role_session_name = "appflowd-b"
            [[job]]
            name = "c"
            flow = "fc"
            every = "1h"
            role_arn = ""
            """, starter: starter)
        h.clock.advance(to: slot * 1000)
        try await eventually("three outcomes") { ["a", "b", "c"].allSatisfy { h.ledger.state().jobs[$0]?.history.last?.outcome != nil } }
        #expect(starter.targets["fa"] == CallTarget(region: nil, role: AssumedRole(arn: roleA, externalId: "ext-a1")))
        #expect(starter.targets["fb"] == CallTarget(region: "eu-west-1", role: AssumedRole(arn: roleB, sessionName: "appflowd-b")))
        #expect(starter.targets["fc"] == CallTarget(region: nil, role: nil))
        let b = try #require(h.ledger.state().jobs["b"]?.history.last)
        #expect(b.outcome == .failed && b.errorCode == "AccessDenied" && b.attempts == 1, "not retried")
        #expect(b.message?.contains("STS AssumeRole for \(roleB)") == true)
        #expect(h.ledger.state().jobs["a"]?.history.last?.outcome == .started)
        #expect(h.ledger.state().jobs["c"]?.history.last?.outcome == .started)
        // Roles do not change tokens.
        #expect(Set(starter.recorded.map(\.token)) == Set(["a", "b", "c"].map { ClientToken.make(salt: "", job: $0, flow: "f" + $0, slot: slot) }))
        try await h.stop()
    }

    @Test func retriesWithTheSameTokenAfterTheBackoff() async throws {
        let starter = FakeStarter()
        let token = ClientToken.make(salt: "", job: "a", flow: "fa", slot: Self.t0 + 3600)
        starter.fail(token: token, with: [AppFlowServiceError(code: "ThrottlingException", message: "slow", statusCode: 429)])
        let h = try await ServiceHarness("[retry]\ninitial_backoff = \"10s\"\n[[job]]\nname = \"a\"\nflow = \"fa\"\nevery = \"1h\"\n", starter: starter)
        h.clock.advance(to: (Self.t0 + 3600) * 1000)
        try await eventually("retry planned") { h.samples["appflowd_retries_total", ["flow_name": "fa"]] == 1 }
        try await h.advance(to: (Self.t0 + 3600) * 1000 + 4_999)  // backoff with random 0.5: 5 s
        #expect(starter.recorded.count == 1)
        h.clock.advance(to: (Self.t0 + 3600) * 1000 + 5_000)
        try await eventually("second attempt") { starter.recorded.count == 2 }
        #expect(Set(starter.recorded.map(\.token)) == [token])
        try await eventually("started") { h.started == 1 }
        try await h.stop()
    }

    @Test(arguments: [1, 3])
    func aBurstIsStartedInSlotOrderNoneSkipped(concurrency: Int) async throws {
        var toml = "max_concurrency = \(concurrency)\nrate_limit = 0\n"
        for i in 0..<500 { toml += "[[job]]\nname = \"j\(i)\"\nflow = \"f\(i)\"\nevery = \"1m\"\n" }
        let starter = FakeStarter()
        let h = try await ServiceHarness(toml, starter: starter)
        h.clock.advance(to: (Self.t0 + 60) * 1000)
        try await eventually("all 500 started", within: .seconds(60)) { h.started == 500 }
        let order = starter.recorded.map { Int($0.flow.dropFirst())! }
        #expect(Set(order) == Set(0..<500), "none skipped, none twice")
        #expect(order.count == 500)
        if concurrency == 1 { #expect(order == Array(0..<500)) }
        try await h.stop()
    }

    @Test func restartResendsAnUnansweredSlotWithItsToken() async throws {
        let directory = temporaryDirectory()
        let token = ClientToken.make(salt: "", job: "a", flow: "fa", slot: Self.t0)
        do {
            let (ledger, _) = try Ledger.open(directory: directory)
            // A previous run wrote `sent` and died before the answer.
            try await ledger.append(.sent(job: "a", flow: "fa", slot: Self.t0, token: token, at: Double(Self.t0)))
            ledger.close()
        }
        let starter = FakeStarter()
        let h = try await ServiceHarness("[[job]]\nname = \"a\"\nflow = \"fa\"\nevery = \"1h\"\n", nowMs: (Self.t0 + 120) * 1000, starter: starter, directory: directory)
        try await eventually("resent") { starter.recorded.count == 1 }
        #expect(starter.recorded.first?.token == token)
        try await eventually("recorded") { h.ledger.state().jobs["a"]?.unresolved.isEmpty == true }
        try await h.advance(to: (Self.t0 + 3599) * 1000)
        #expect(starter.recorded.count == 1, "and the slot itself is not fired again as new")
        try await h.stop()
    }

    /// The `sent` record is written ahead of the slot (docs/ledger.md, "Written ahead"): durable
    /// before the fire tick, and nothing is appended between the tick and the StartFlow.
    @Test func theRecordIsDurableBeforeTheFireTickAndNothingIsWrittenAtIt() async throws {
        let starter = GatedStarter()
        let h = try await ServiceHarness("[[job]]\nname = \"a\"\nflow = \"fa\"\nevery = \"1h\"\n", starter: starter)
        let fire = Self.t0 + 3600
        #expect(h.clock.nextArmedMs == fire * 1000 - 2000)
        try await h.advance(to: fire * 1000 - 2000)
        try await eventually("recorded ahead") { h.ledger.state().jobs["a"]?.unresolved[fire]?.fireAt == Double(fire) }
        let ledgerFile = h.directory + "/ledger.jsonl"
        let size = try FileManager.default.attributesOfItem(atPath: ledgerFile)[.size] as? Int
        #expect(starter.waiting == 0)
        h.clock.advance(to: fire * 1000)
        try await eventually("call in flight") { starter.waiting == 1 }
        #expect(try FileManager.default.attributesOfItem(atPath: ledgerFile)[.size] as? Int == size, "no write between the tick and the call")
        starter.release(StartFlowResult(flowArn: "arn", flowStatus: "Active", executionId: "e-1"))
        try await eventually("outcome") { h.ledger.state().jobs["a"]?.history.last?.executionId == "e-1" }
        #expect(h.ledger.state().jobs["a"]?.history.last?.firstSentAt == Double(fire - 2))
        #expect(h.ledger.state().jobs["a"]?.watermark == fire)
        try await h.stop()
    }

    /// A stop before the fire time withdraws the record; a restart after the fire time starts the
    /// slot by the catch-up rule, once, as if nothing had been written.
    @Test func aStopBeforeTheFireTimeWithdrawsTheRecordAndARestartCatchesUp() async throws {
        let directory = temporaryDirectory()
        let fire = Self.t0 + 3600
        let token = ClientToken.make(salt: "", job: "a", flow: "fa", slot: fire)
        do {
            let (ledger, _) = try Ledger.open(directory: directory)
            let previous = ClientToken.make(salt: "", job: "a", flow: "fa", slot: Self.t0)
            try await ledger.append(.sent(job: "a", flow: "fa", slot: Self.t0, token: previous, at: Double(Self.t0)))
            try await ledger.append(LedgerRecord(kind: .outcome, job: "a", flow: "fa", slot: Self.t0, token: previous, at: Double(Self.t0),
                                                 outcome: .started, final: true, executionId: "e-0"))
            ledger.close()
        }
        let toml = "[[job]]\nname = \"a\"\nflow = \"fa\"\nevery = \"1h\"\n"
        let first = FakeStarter()
        let h = try await ServiceHarness(toml, nowMs: (Self.t0 + 60) * 1000, starter: first, directory: directory)
        try await h.advance(to: fire * 1000 - 2000)
        try await eventually("recorded ahead") { h.ledger.state().jobs["a"]?.unresolved[fire] != nil }
        h.clock.advance(to: fire * 1000 - 1000)
        try await h.stop(keep: true)
        #expect(first.recorded.isEmpty)
        do {
            let (ledger, state) = try Ledger.open(directory: directory)
            ledger.close()
            #expect(state.jobs["a"]?.unresolved.isEmpty == true, "withdrawn")
            #expect(state.jobs["a"]?.watermark == Self.t0)
        }
        let second = FakeStarter()
        let r = try await ServiceHarness(toml, nowMs: fire * 1000 + 10_000, starter: second, directory: directory)
        try await eventually("caught up") { r.started == 1 }
        try await r.advance(to: fire * 1000 + 60_000)
        #expect(second.recorded == [.init(flow: "fa", token: token)])
        try await r.stop()
    }

    @Test func aTokenTooOldIsRecordedAsOutcomeUnknownNotResent() async throws {
        let directory = temporaryDirectory()
        let slot = Self.t0 - 8 * 3600
        do {
            let (ledger, _) = try Ledger.open(directory: directory)
            try await ledger.append(.sent(job: "a", flow: "fa", slot: slot, token: "appflowd-old", at: Double(slot)))
            ledger.close()
        }
        let starter = FakeStarter()
        let h = try await ServiceHarness("[[job]]\nname = \"a\"\nflow = \"fa\"\nevery = \"1h\"\ncatch_up = \"skip\"\n", nowMs: (Self.t0 + 1800) * 1000, starter: starter, directory: directory)
        try await eventually("recorded unknown") { h.ledger.state().jobs["a"]?.history.contains { $0.outcome == .outcomeUnknown } == true }
        #expect(starter.recorded.isEmpty)
        try await h.stop()
    }

    @Test func waitFollowsTheRunAndOverlapSkips() async throws {
        let starter = FakeStarter()
        starter.executionStatus.withLock { $0 = "InProgress" }
        let h = try await ServiceHarness("[[job]]\nname = \"a\"\nflow = \"fa\"\nevery = \"1m\"\nwait = true\noverlap = \"skip\"\n", starter: starter)
        h.clock.advance(to: (Self.t0 + 60) * 1000)
        try await eventually("started") { h.ledger.state().jobs["a"]?.running.count == 1 }
        h.clock.advance(to: (Self.t0 + 120) * 1000)  // the next slot while the run is in progress
        try await eventually("skipped") { h.skipped == 1 }
        #expect(starter.recorded.count == 1)
        starter.executionStatus.withLock { $0 = "Successful" }
        // A poll may still be in flight with the old answer: time moves on until the next one.
        try await eventually("succeeded") {
            h.clock.advance(to: min(h.clock.nowMs() + 1000, (Self.t0 + 170) * 1000))
            return h.ledger.state().jobs["a"]?.history.contains { $0.outcome == .succeeded } == true
        }
        #expect(h.ledger.state().jobs["a"]?.running.isEmpty == true)
        try await h.stop()
    }

    @Test func reloadKeepsLedgerDropsRemovedJobsAndBadFileKeepsOldJobs() async throws {
        let starter = FakeStarter()
        let h = try await ServiceHarness("[[job]]\nname = \"a\"\nflow = \"fa\"\nevery = \"1m\"\n[[job]]\nname = \"b\"\nflow = \"fb\"\nevery = \"1m\"\n", starter: starter)
        h.clock.advance(to: (Self.t0 + 60) * 1000)
        try await eventually("two started") { h.started == 2 }
        try await h.reload("[[job]]\nname = \"a\"\nflow = \"fa\"\nevery = \"2m\"\n")
        #expect(h.notifier.all.last?.contains("1 job;") == true)
        h.clock.advance(to: (Self.t0 + 120) * 1000)
        try await eventually("a started again") { h.started == 3 }
        #expect(starter.recorded.last?.flow == "fa")
        try await h.reload(nil)
        #expect(h.notifier.all.last?.contains("reload failed, old jobs kept: test.toml:1:1: error: broken") == true)
        h.clock.advance(to: (Self.t0 + 240) * 1000)
        try await eventually("old job still runs") { h.started == 4 }
        #expect(!starter.recorded.contains { $0.flow == "fb" && $0.token == ClientToken.make(salt: "", job: "b", flow: "fb", slot: Self.t0 + 120) })
        try await h.stop()
    }

    @Test func watchdogIsFedByTheLoop() async throws {
        let h = try await ServiceHarness("[[job]]\nname = \"a\"\nflow = \"fa\"\nevery = \"1h\"\n", watchdog: .seconds(10))
        let before = h.notifier.all.filter { $0 == "WATCHDOG=1" }.count
        #expect(before == 1)
        for step in 1...3 {
            #expect(h.clock.nextArmedMs == (Self.t0 + Int64(step) * 10) * 1000)
            try await h.advance(to: (Self.t0 + Int64(step) * 10) * 1000)
            #expect(h.notifier.all.filter { $0 == "WATCHDOG=1" }.count == before + step)
        }
        try await h.stop()
    }

    /// Defect 4: SIGTERM with a call in flight records its answer within the grace.
    @Test func stopRecordsTheAnswerOfACallInFlight() async throws {
        let starter = GatedStarter()
        let h = try await ServiceHarness("[[job]]\nname = \"a\"\nflow = \"fa\"\nevery = \"1h\"\n", starter: starter)
        h.clock.advance(to: (Self.t0 + 3600) * 1000)
        try await eventually("call in flight") { starter.waiting == 1 }
        async let stopped: Void = h.stop(keep: true)
        try await eventually("STOPPING") { h.notifier.all.contains("STOPPING=1") }
        starter.release(StartFlowResult(flowArn: "arn", flowStatus: "Active", executionId: "e-1"))
        try await stopped
        let (ledger, _) = try Ledger.open(directory: h.directory)
        defer { ledger.close() }
        #expect(ledger.state().jobs["a"]?.history.last?.executionId == "e-1")
        #expect(ledger.state().jobs["a"]?.unresolved.isEmpty == true)
        try? FileManager.default.removeItem(atPath: h.directory)
    }

    /// The grace is bounded: a call that never answers is left for the restart.
    @Test func stopEndsAtTheGraceWithACallStillInFlight() async throws {
        let starter = GatedStarter()
        let directory = temporaryDirectory()
        let h = try await ServiceHarness("[[job]]\nname = \"a\"\nflow = \"fa\"\nevery = \"1h\"\n", starter: starter, directory: directory, stopGrace: .seconds(3))
        h.clock.advance(to: (Self.t0 + 3600) * 1000)
        try await eventually("call in flight") { starter.waiting == 1 }
        let arms = h.clock.armCount
        await h.group.triggerGracefulShutdown()
        try await h.clock.waitForArms(arms + 1)
        try await h.advance(to: (Self.t0 + 3602) * 1000)
        #expect(starter.waiting == 1)
        h.clock.advance(to: (Self.t0 + 3603) * 1000)
        try await h.running.value
        h.ledger.close()
        let (ledger, _) = try Ledger.open(directory: directory)
        defer { ledger.close() }
        #expect(ledger.state().jobs["a"]?.unresolved.count == 1, "sent again with its token after a restart")
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// StartFlow calls wait until the test releases them; a call cancelled before or while it waits
/// ends with `CancellationError`.
final class GatedStarter: FlowStarter {
    private struct State {
        var waiters: [UInt64: CheckedContinuation<StartFlowResult, any Error>] = [:]
        var next: UInt64 = 0
    }
    private let state = Mutex(State())

    var waiting: Int { state.withLock { $0.waiters.count } }

    func release(_ result: StartFlowResult) {
        let all = state.withLock { s in
            defer { s.waiters = [:] }
            return Array(s.waiters.values)
        }
        for waiter in all { waiter.resume(returning: result) }
    }

    func startFlow(target: CallTarget, flowName: String, clientToken: String) async throws -> StartFlowResult {
        let id = state.withLock { s -> UInt64 in
            s.next += 1
            return s.next
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let cancelled = state.withLock { s -> Bool in
                    if Task.isCancelled { return true }
                    s.waiters[id] = continuation
                    return false
                }
                if cancelled { continuation.resume(throwing: CancellationError()) }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume(throwing: CancellationError())
        }
    }

    func findExecution(target: CallTarget, flowName: String, executionId: String) async throws -> FlowExecution? { nil }
}
