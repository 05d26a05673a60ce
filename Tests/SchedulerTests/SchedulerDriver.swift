import JobFile
import Ledger
import Testing
@testable import Scheduler

/// Drives a `SchedulerStateMachine` the way the executor does, with no I/O and no clock: ledger
/// writes are applied to a `LedgerState` (the ledger as a restart would replay it) when the test
/// says, StartFlow calls wait in `calls` until the test answers them.
struct SchedulerDriver {
    var machine: SchedulerStateMachine
    var nowMs: Int64
    /// Every action, in order.
    var log: [SchedulerAction] = []
    /// The ledger as written so far.
    var ledger: LedgerState
    var pendingWrite: (WriteID, [LedgerRecord])?
    /// StartFlow calls in flight, in the order they were made.
    var calls: [(SlotID, StartRequest)] = []
    var polls: [(SlotID, PollRequest)] = []
    var wakeMs: Int64?
    var finished = false
    var failed: String?
    var reloadRequested = 0

    init(_ toml: String, nowMs: Int64, ledger: LedgerState = LedgerState(), configuration: SchedulerStateMachine.Configuration = .init(stopGrace: .seconds(10))) throws {
        let file = try jobFile(toml)
        self.nowMs = nowMs
        self.ledger = ledger
        machine = SchedulerStateMachine(jobFile: file, ledger: ledger, configuration: configuration, nowMs: nowMs)
        take(machine.start(nowMs: nowMs))
    }

    mutating func take(_ actions: [SchedulerAction]) {
        for action in actions {
            log.append(action)
            switch action {
            case .appendLedger(let id, let records):
                precondition(pendingWrite == nil, "two ledger writes in flight")
                pendingWrite = (id, records)
            case .startFlow(let id, let request): calls.append((id, request))
            case .poll(let id, let request): polls.append((id, request))
            case .sleepUntil(let at): wakeMs = at
            case .finish: finished = true
            case .fail(let reason): failed = reason
            case .loadJobFile: reloadRequested += 1
            default: break
            }
        }
    }

    mutating func send(_ event: SchedulerEvent) {
        take(machine.handle(event, nowMs: nowMs))
    }

    /// Sets the clock and ticks.
    mutating func tick(at ms: Int64) {
        nowMs = ms
        send(.tick)
    }

    /// Makes the pending ledger write durable (or fail).
    mutating func completeWrite(failing: Bool = false, fatal: Bool = false) {
        guard let (id, records) = pendingWrite else { return }
        pendingWrite = nil
        if failing {
            send(.ledgerFailed(id, message: "No space left on device", fatal: fatal))
        } else {
            ledger.apply(records, historyLimit: 50)
            send(.ledgerWritten(id))
        }
    }

    /// Completes ledger writes until none is pending.
    mutating func drainLedger() {
        while pendingWrite != nil { completeWrite() }
    }

    /// Answers the oldest StartFlow call in flight.
    mutating func answerFirst(_ result: Result<StartAnswer, CallFailure>? = nil, random: Double = 0.5) {
        guard !calls.isEmpty else { return }
        let (id, request) = calls.removeFirst()
        send(.startAnswered(id, result ?? .success(StartAnswer(executionId: "exec-\(request.token.suffix(6))", flowStatus: "Active")), random: random))
    }

    /// Answers calls and writes the ledger until nothing is in flight.
    mutating func settle() {
        var guardRail = 0
        while pendingWrite != nil || !calls.isEmpty {
            drainLedger()
            while !calls.isEmpty { answerFirst() }
            guardRail += 1
            precondition(guardRail < 100_000)
        }
    }

    /// Runs the clock forward, tick by tick at each requested wake, settling as it goes.
    mutating func run(until endMs: Int64, settle settling: Bool = true) {
        var guardRail = 0
        while let wake = wakeMs, wake <= endMs, !finished {
            tick(at: max(nowMs, wake))
            if settling { settle() }
            guardRail += 1
            precondition(guardRail < 1_000_000)
        }
        nowMs = max(nowMs, endMs)
    }

    var sentTokens: [String] { log.compactMap { if case .startFlow(_, let r) = $0 { r.token } else { nil } } }
    var records: [LedgerRecord] {
        log.flatMap { action -> [LedgerRecord] in
            if case .appendLedger(_, let records) = action { return records }
            return []
        }
    }
    var logs: [LogEntry] { log.compactMap { if case .log(let e) = $0 { e } else { nil } } }
    var notifications: [Scheduler.Notification] { log.compactMap { if case .notify(let n) = $0 { n } else { nil } } }
}

func jobFile(_ text: String, now: Int64 = 1_800_000_000) throws -> JobFile {
    let (file, diagnostics) = JobFileLoader.parse(text, fileName: "test.toml", now: now)
    guard let file else { throw JobFileProblem(diagnostics: diagnostics.map(\.description)) }
    return file
}

struct JobFileProblem: Error { var diagnostics: [String] }
