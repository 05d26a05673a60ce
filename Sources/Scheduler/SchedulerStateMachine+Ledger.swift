import JobFile
import Ledger

/// The ledger queue: records go out in the order they were produced, one write at a time, at
/// most `chunk` records a write so a burst's first slots need not wait for the whole burst.
/// While the ledger cannot be written, records wait (and their slots with them) and the write
/// is retried with a growing delay; a slot whose `sent` record cannot be written before its
/// retry deadline is recorded as failed instead. Nothing is dropped: no gap in the ledger.
extension SchedulerStateMachine {
    var chunk: Int { max(64, jobFile.maxConcurrency * 4) }

    mutating func enqueueRecord(_ record: LedgerRecord, releases: SlotID? = nil) {
        ledgerQueue.append(Pending(record: record, releases: releases))
    }

    /// Starts the next write when none is in flight and the ledger is not waiting for a retry.
    mutating func flushLedger(nowMs: Int64) {
        guard ledgerWrite == nil, !ledgerQueue.isEmpty else { return }
        if let at = ledgerRetryAtMs, at > nowMs { return }
        let count = min(chunk, ledgerQueue.count)
        nextWriteID += 1
        let id = WriteID(nextWriteID)
        ledgerWrite = (id, count)
        emit(.appendLedger(id, ledgerQueue.prefix(count).map(\.record)))
    }

    mutating func ledgerWritten(_ id: WriteID, nowMs: Int64) {
        guard let write = ledgerWrite, write.id == id else { return }
        ledgerWrite = nil
        let done = ledgerQueue.prefix(write.count)
        ledgerQueue.removeFirst(write.count)
        if status.ledgerProblem != nil {
            status.ledgerProblem = nil
            ledgerRetryAtMs = nil
            ledgerRetryDelayMs = 1000
            emit(.log(LogEntry(.notice, "the ledger is writable again", ["event": "ledger-recovered"])))
        }
        for pending in done {
            guard let id = pending.releases else { continue }
            if ahead[id] != nil {
                ahead[id]?.durable = true
            } else if slots[id]?.phase == .recording {
                enqueueForAdmission(id)
            }
        }
    }

    mutating func ledgerFailed(_ id: WriteID, message: String, fatal: Bool, nowMs: Int64) {
        guard let write = ledgerWrite, write.id == id else { return }
        ledgerWrite = nil
        emit(.metric(.error(operation: "Ledger", code: fatal ? "closed" : "LedgerWriteFailed")))
        if fatal {
            // Durability can no longer be promised: nothing more may be sent. The service manager
            // restarts the daemon, which resumes from what is on disk.
            emit(.log(LogEntry(.critical, "the ledger accepts no more writes; stopping", ["event": "failed", "error_code": "LedgerClosed", "error": message])))
            finished = true
            emit(.fail("the ledger accepts no more writes: \(message)"))
            return
        }
        let waiting = ledgerQueue.filter { $0.releases != nil }.count
        if status.ledgerProblem == nil {
            emit(.log(LogEntry(.critical, "ledger write failed; due slots wait until it can be written", [
                "event": "ledger-failed", "error_code": "LedgerWriteFailed", "error": message, "slots": "\(waiting)",
            ])))
        }
        status.ledgerProblem = message
        ledgerRetryAtMs = nowMs + ledgerRetryDelayMs
        ledgerRetryDelayMs = min(ledgerRetryDelayMs * 2, 30_000)
    }

    /// While the ledger cannot be written: slots whose `sent` record is still waiting past their
    /// retry deadline are recorded as failed (their `sent` record replaced), never silently lost.
    mutating func expireUnrecorded(nowMs: Int64) {
        guard status.ledgerProblem != nil else { return }
        let inWrite = ledgerWrite?.count ?? 0
        var index = inWrite
        while index < ledgerQueue.count {
            defer { index += 1 }
            guard let id = ledgerQueue[index].releases, let slot = slots[id], nowMs > slot.recordDeadlineMs else { continue }
            let due = slot.due
            let message = "the ledger could not be written until the retry deadline passed: \(status.ledgerProblem ?? "")"
            var failed = LedgerRecord.skipped(job: due.jobName, flow: due.flow, slot: due.slot, token: due.token, at: Double(nowMs) / 1000, message: message)
            failed.outcome = .failed
            failed.errorCode = "LedgerUnavailable"
            ledgerQueue[index] = Pending(record: failed, releases: nil)
            slots[id] = nil
            status.failed += 1
            emit(.log(.slot(.failed, due, ["error_code": "LedgerUnavailable", "error": message])))
            emit(.metric(.starts(flow: due.flow, outcome: SlotOutcome.failed.rawValue, count: 1)))
        }
    }
}
