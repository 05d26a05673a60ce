import HeapModule
import JobFile
import Scheduling

/// Which slots are due, across all jobs. Pure: the present is always a parameter.
///
/// Two heaps: `pending` holds each enabled job's next slot not yet looked at, by nominal time;
/// `firing` holds slots by fire time (nominal plus jitter). A slot moves from `pending` to
/// `firing` once nothing could fire before it, i.e. when its nominal time is not after the
/// earliest fire time (jitter only delays). So a jitter longer than the job's interval still
/// fires every slot at its own time, in fire order.
///
/// Slots can be announced ahead of their fire time (`popAhead`), for the ledger to record them
/// before they fire; they stay planned, in a third heap, and are due as any other, catch-up included.
///
/// Catch-up (SPEC section 2): when slots of a job are due at once, only the newest is current;
/// it starts when at most `graceMs` late, and when later only under `latest` or `all`. The older
/// due slots are missed: they start only under `all`, otherwise they are skipped with their count.
/// Slots older than `catch_up_window` are never started; they are counted and skipped too.
package struct SchedulePlanner: Sendable {
    struct Pending: Comparable, Sendable {
        var nominalMs: Int64
        var jobOrder: Int
        var slot: Int64
        static func < (lhs: Pending, rhs: Pending) -> Bool { (lhs.nominalMs, lhs.jobOrder) < (rhs.nominalMs, rhs.jobOrder) }
    }

    struct Firing: Comparable, Sendable {
        var slot: DueSlot
        static func < (lhs: Firing, rhs: Firing) -> Bool { lhs.slot < rhs.slot }
        static func == (lhs: Firing, rhs: Firing) -> Bool { lhs.slot == rhs.slot }
    }

    /// What one look at the clock produced.
    package struct Batch: Sendable, Equatable {
        /// To start now, in fire order.
        package var due: [DueSlot] = []
        /// Slots not started because of `catch_up` or the window: per job and reason, the newest
        /// with how many.
        package var skipped: [SkippedSlots] = []
    }

    package struct SkippedSlots: Sendable, Equatable {
        package var newest: DueSlot
        package var count: Int
        /// True when there were at least `count` (too many to count one by one).
        package var atLeast = false
        package var reason: String
    }

    /// A slot later than this is no longer current unless `catch_up` says so.
    package static let graceMs: Int64 = 60_000
    /// Slots older than the window are counted one by one up to this many.
    package static let countLimit = 10_000

    package let jobs: [Job]
    private var pending = Heap<Pending>()
    private var firing = Heap<Firing>()
    /// Slots returned by `popAhead`, not due yet, by fire time.
    private var announced = Heap<Firing>()
    /// Per job order: slots older than the window passed over while filling, not yet reported.
    private var dropped: [Int: SkippedSlots] = [:]
    /// Per job order, for jobs that start fresh (no slot decided yet): slots firing at or before
    /// this instant belong to the past and are passed over silently (a new job never catches up).
    private var notBeforeMs: [Int: Int64] = [:]

    /// - Parameter resumeAfter: per job name, the latest slot already decided; the job goes on
    ///   with the slot after it. A job without one starts with its first slot that fires after `nowMs`.
    package init(jobs: [Job], resumeAfter: [String: Int64], nowMs: Int64) {
        self.jobs = jobs
        var entries: [Pending] = []
        entries.reserveCapacity(jobs.count)
        for (order, job) in jobs.enumerated() where job.enabled {
            let first: Int64?
            if let after = resumeAfter[job.name] {
                first = job.schedule.nextSlot(after: after)
            } else {
                first = Self.firstFuture(job: job, order: order, nowMs: nowMs)?.slot
                if job.jitter > .zero { notBeforeMs[order] = nowMs }
            }
            if let first { entries.append(Pending(nominalMs: first * 1000, jobOrder: order, slot: first)) }
        }
        pending = Heap(entries)
        fill(nowMs: nowMs)
    }

    /// The first slot of `job` that fires after `nowMs` (jitter can put a slot whose nominal time
    /// has passed still in the future).
    package static func firstFuture(job: Job, order: Int, nowMs: Int64) -> DueSlot? {
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
    package var nextFireMs: Int64? { nextSlot?.fireMs }

    /// The earliest slot, for STATUS.
    package var nextSlot: DueSlot? {
        switch (firing.min?.slot, announced.min?.slot) {
        case (let a?, let b?): min(a, b)
        case (let a, let b): a ?? b
        }
    }

    /// When the earliest slot not announced yet fires.
    package var nextUnannouncedFireMs: Int64? { firing.min?.slot.fireMs }

    /// Removes and returns, in fire order, the slots that fire after `nowMs` and at or before
    /// `horizonMs` and were not announced yet. They stay planned: `popDue` returns them at their
    /// fire time (or applies catch-up to them), and a new planner (reload) forgets them.
    package mutating func popAhead(horizonMs: Int64, nowMs: Int64) -> [DueSlot] {
        fill(nowMs: nowMs, horizonMs: horizonMs)
        var slots: [DueSlot] = []
        while let top = firing.min, top.slot.fireMs <= horizonMs {
            firing.removeMin()
            announced.insert(top)
            if top.slot.fireMs > nowMs { slots.append(top.slot) }
        }
        fill(nowMs: nowMs, horizonMs: horizonMs)
        return slots
    }

    /// Removes and returns everything due at `nowMs`, applying catch-up.
    package mutating func popDue(nowMs: Int64) -> Batch {
        fill(nowMs: nowMs)
        var byJob: [Int: [DueSlot]] = [:]
        while let top = firing.min, top.slot.fireMs <= nowMs {
            firing.removeMin()
            byJob[top.slot.jobOrder, default: []].append(top.slot)
        }
        while let top = announced.min, top.slot.fireMs <= nowMs {
            announced.removeMin()
            byJob[top.slot.jobOrder, default: []].append(top.slot)
        }
        fill(nowMs: nowMs)
        var batch = Batch()
        for order in Set(byJob.keys).union(dropped.keys).sorted() {
            if let old = dropped.removeValue(forKey: order) { batch.skipped.append(old) }
            guard let slots = byJob[order]?.sorted(by: { $0.slot < $1.slot }) else { continue }
            let (start, skip) = Self.catchUp(job: jobs[order], due: slots, nowMs: nowMs)
            batch.due += start
            if let newest = skip.last {
                let reason = "missed: only the newest due slot is current, and catch_up = \(jobs[order].catchUp.rawValue)"
                batch.skipped.append(SkippedSlots(newest: newest, count: skip.count, reason: reason))
            }
        }
        batch.due.sort()
        return batch
    }

    /// The catch-up rule for one job's due slots (ascending): which start, which are skipped.
    package static func catchUp(job: Job, due: [DueSlot], nowMs: Int64) -> (start: [DueSlot], skip: [DueSlot]) {
        guard let current = due.last else { return ([], []) }
        let missed = Array(due.dropLast())
        let onTime = nowMs - current.fireMs <= graceMs
        switch job.catchUp {
        case .all: return (due, [])
        case .latest: return ([current], missed)
        case .skip: return onTime ? ([current], missed) : ([], due)
        }
    }

    /// Moves slots from `pending` to `firing` until no pending slot could fire before the
    /// earliest firing one (or before `nowMs`). Slots older than their job's window are passed
    /// over and counted.
    private mutating func fill(nowMs: Int64, horizonMs: Int64? = nil) {
        let horizon = max(nowMs, horizonMs ?? nowMs)
        while let next = pending.min {
            if let earliest = firing.min?.slot.fireMs, next.nominalMs > max(earliest, horizon) { break }
            pending.removeMin()
            let job = jobs[next.jobOrder]
            var slot: Int64? = next.slot
            let windowStart = nowMs / 1000 - job.catchUpWindow.wholeSeconds
            if next.slot < windowStart {
                slot = passOver(job: job, order: next.jobOrder, from: next.slot, before: windowStart)
            }
            guard let slot else { continue }
            let due = DueSlot(job: job, jobOrder: next.jobOrder, slot: slot)
            if let floor = notBeforeMs[next.jobOrder] {
                if slot * 1000 > floor { notBeforeMs[next.jobOrder] = nil }
            }
            if let floor = notBeforeMs[next.jobOrder], due.fireMs <= floor {
                // Already in the past when the job was added: not one of its slots to start.
            } else {
                firing.insert(Firing(slot: due))
            }
            if let following = job.schedule.nextSlot(after: slot) {
                pending.insert(Pending(nominalMs: following * 1000, jobOrder: next.jobOrder, slot: following))
            }
        }
    }

    /// Counts the slots from `first` up to `windowStart` (exclusive) into `dropped`, and returns
    /// the job's first slot inside the window.
    private mutating func passOver(job: Job, order: Int, from first: Int64, before windowStart: Int64) -> Int64? {
        let passed = Self.count(job: job, after: first - 1, before: windowStart)
        guard let newest = passed.newest else { return first }
        var entry = dropped[order] ?? SkippedSlots(newest: DueSlot(job: job, jobOrder: order, slot: newest), count: 0,
                                                   reason: "older than catch_up_window (\(DurationFormatter.format(job.catchUpWindow)))")
        entry.count += passed.count
        entry.atLeast = entry.atLeast || passed.atLeast
        if newest >= entry.newest.slot { entry.newest = DueSlot(job: job, jobOrder: order, slot: newest) }
        dropped[order] = entry
        return job.schedule.nextSlot(after: windowStart - 1)
    }

    /// The job's slots after `after` and before `limit`: how many (exactly up to `countLimit`,
    /// else `atLeast`) and the newest.
    package static func count(job: Job, after: Int64, before limit: Int64) -> (count: Int, newest: Int64?, atLeast: Bool) {
        var count = 0
        var newest: Int64?
        var cursor = job.schedule.nextSlot(after: after)
        while let slot = cursor, slot < limit, count < countLimit {
            count += 1
            newest = slot
            cursor = job.schedule.nextSlot(after: slot)
        }
        guard let slot = cursor, slot < limit else { return (count, newest, false) }
        return (count, lastSlot(of: job, before: limit, after: slot) ?? newest, true)
    }

    /// The latest slot before `limit` and after `floor`, found by stepping back from the limit in
    /// growing strides (schedules only answer "the next slot after").
    static func lastSlot(of job: Job, before limit: Int64, after floor: Int64) -> Int64? {
        var stride: Int64 = 60
        while true {
            let from = max(floor, limit - stride)
            var cursor = from
            var last: Int64?
            while let slot = job.schedule.nextSlot(after: cursor), slot < limit {
                last = slot
                cursor = slot
            }
            if let last { return last }
            if from == floor { return nil }
            stride *= 4
        }
    }
}
