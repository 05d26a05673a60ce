import HeapModule
import JobFile
import Scheduling

/// Which slots are due, across all jobs: one heap entry per enabled job (its next slot), so a
/// fire costs O(log jobs). Pure: the present is always a parameter.
///
/// A slot whose fire time is more than `missedGraceMs` in the past when it is looked at was
/// *missed* (the daemon was down, the machine suspended, the clock stepped forward); missed slots
/// follow the job's `catch_up` policy inside `catch_up_window`. Slots older than the window are
/// never started.
package struct SchedulePlanner: Sendable {
    package struct Entry: Comparable, Sendable {
        var slot: DueSlot
        package static func < (lhs: Entry, rhs: Entry) -> Bool { lhs.slot < rhs.slot }
        package static func == (lhs: Entry, rhs: Entry) -> Bool { lhs.slot == rhs.slot }
    }

    /// What one look at the clock produced.
    package struct Batch: Sendable, Equatable {
        /// To start now, in fire order.
        package var due: [DueSlot] = []
        /// Missed slots not started because of `catch_up` (newest per job, with how many).
        package var skipped: [SkippedSlots] = []
    }

    package struct SkippedSlots: Sendable, Equatable {
        package var newest: DueSlot
        package var count: Int
        package var reason: String
    }

    package let missedGraceMs: Int64
    private(set) var jobs: [Job]
    private var heap = Heap<Entry>()

    /// - Parameters:
    ///   - watermarks: per job name, the latest slot already decided (from the ledger); a job
    ///     without one starts with its first slot that fires after `nowMs`.
    ///   - catchingUp: true at startup (slots after the watermark that were missed follow
    ///     `catch_up`); false on reload, where every job starts with its first slot that fires
    ///     after `nowMs` and is newer than its watermark, so a changed schedule never fires for
    ///     its past.
    package init(jobs: [Job], watermarks: [String: Int64], nowMs: Int64, catchingUp: Bool = true, missedGraceMs: Int64 = 60_000) {
        self.jobs = jobs
        self.missedGraceMs = missedGraceMs
        var entries: [Entry] = []
        entries.reserveCapacity(jobs.count)
        for (order, job) in jobs.enumerated() where job.enabled {
            var first: DueSlot?
            if let watermark = watermarks[job.name], catchingUp {
                first = job.schedule.nextSlot(after: watermark).map { DueSlot(job: job, jobOrder: order, slot: $0) }
            } else {
                first = Self.firstFuture(job: job, order: order, nowMs: nowMs)
                if let watermark = watermarks[job.name], let candidate = first, candidate.slot <= watermark {
                    first = job.schedule.nextSlot(after: watermark).map { DueSlot(job: job, jobOrder: order, slot: $0) }
                }
            }
            if let first { entries.append(Entry(slot: first)) }
        }
        heap = Heap(entries)
    }

    /// The first slot of `job` that fires after `nowMs` (jitter can put a slot whose nominal time
    /// has passed still in the future).
    static func firstFuture(job: Job, order: Int, nowMs: Int64) -> DueSlot? {
        let jitterSeconds = (job.jitterMilliseconds + 999) / 1000
        var cursor = nowMs / 1000 - jitterSeconds - 1
        for _ in 0..<10_000 {
            guard let slot = job.schedule.nextSlot(after: cursor) else { return nil }
            let due = DueSlot(job: job, jobOrder: order, slot: slot)
            if due.fireMs > nowMs { return due }
            cursor = slot
        }
        return nil
    }

    /// When the earliest slot fires, or nil when no job will ever fire again.
    package var nextFireMs: Int64? { heap.min?.slot.fireMs }

    /// The earliest slot, for STATUS.
    package var nextSlot: DueSlot? { heap.min?.slot }

    /// Removes and returns everything due at `nowMs`, applying catch-up to missed slots.
    package mutating func popDue(nowMs: Int64) -> Batch {
        var batch = Batch()
        while let top = heap.min, top.slot.fireMs <= nowMs {
            let entry = heap.removeMin()
            let job = jobs[entry.slot.jobOrder]
            var dueForJob: [DueSlot] = []
            var cursor: DueSlot? = entry.slot
            let windowStart = nowMs / 1000 - job.catchUpWindow.wholeSeconds
            var older = 0
            var lastOlder: DueSlot?
            // Jump over slots older than the window without walking them one by one.
            if let first = cursor, first.slot < windowStart {
                older = 1
                lastOlder = first
                cursor = job.schedule.nextSlot(after: windowStart - 1).map { DueSlot(job: job, jobOrder: entry.slot.jobOrder, slot: $0) }
            }
            while let current = cursor, current.fireMs <= nowMs {
                dueForJob.append(current)
                cursor = job.schedule.nextSlot(after: current.slot).map { DueSlot(job: job, jobOrder: entry.slot.jobOrder, slot: $0) }
            }
            if let next = cursor { heap.insert(Entry(slot: next)) }
            let (start, skip) = applyCatchUp(job: job, due: dueForJob, nowMs: nowMs)
            batch.due += start
            if let lastOlder {
                batch.skipped.append(SkippedSlots(newest: lastOlder, count: older, reason: "older than catch_up_window (\(DurationFormatter.format(job.catchUpWindow)))"))
            }
            if let newest = skip.last {
                batch.skipped.append(SkippedSlots(newest: newest, count: skip.count, reason: "missed while down or late; catch_up = \(job.catchUp.rawValue)"))
            }
        }
        batch.due.sort()
        return batch
    }

    func applyCatchUp(job: Job, due: [DueSlot], nowMs: Int64) -> (start: [DueSlot], skip: [DueSlot]) {
        let missed = due.filter { nowMs - $0.fireMs > missedGraceMs }
        let onTime = due.filter { nowMs - $0.fireMs <= missedGraceMs }
        guard !missed.isEmpty else { return (onTime, []) }
        switch job.catchUp {
        case .all:
            return (due, [])
        case .skip:
            return (onTime, missed)
        case .latest:
            // The newest due slot stands for all the missed ones before it.
            if onTime.isEmpty, let newest = missed.last {
                return ([newest], Array(missed.dropLast()))
            }
            return (onTime, missed)
        }
    }
}

extension Duration {
    /// Whole seconds, rounded toward zero.
    var wholeSeconds: Int64 { components.seconds }
}
