import Foundation
import Scheduler
import JobFile
import Ledger
import Scheduling
import Primitives

/// What `appflowd status` prints: per job, the newest slot in the ledger (its outcome, execution
/// id, records processed) and the next slot, like `systemctl list-timers` with its LAST and PASSED
/// columns; or, for one job, its last slots. Pure: the ledger, the job file and "now" are given.
package struct StatusReport: Sendable {
    package struct NextSlot: Sendable, Equatable {
        /// Nominal Unix seconds.
        package var slot: Int64
        /// Slot plus jitter, Unix milliseconds.
        package var fireMs: Int64
        package var token: String
    }

    package struct Row: Sendable {
        package var job: String
        package var flow: String
        package var enabled: Bool
        /// False for a job the ledger remembers but the job file no longer names.
        package var inJobFile: Bool
        package var timeZone: TimeZone
        /// The job's jitter in milliseconds (0 when it is not in the job file), for fire times.
        package var jitterMilliseconds: Int64
        /// The job's `start` and `end` (none when it is not in the job file): fire times never
        /// pass `end`, and a job with no slot left before `end` has ended.
        package var bounds = SlotBounds()
        /// Every slot the ledger still keeps for the job, newest first.
        package var slots: [SlotSummary]
        /// Slots sent without an answer yet, and runs still being followed.
        package var pending: Int
        package var running: Int
        package var next: NextSlot?

        /// The newest slot, or nil for a job that never ran.
        package var last: SlotSummary? { slots.first }

        /// An enabled job of the job file with no slot left because of its `end`.
        package var ended: Bool { inJobFile && enabled && next == nil && bounds.end != nil }
    }

    package var rows: [Row]
    /// The instant PASSED and LEFT are measured from (Unix milliseconds).
    package var nowMs: Int64

    /// - Parameters:
    ///   - jobFile: the jobs to list, in file order; nil when the job file could not be read, then
    ///     only the ledger's jobs are listed, without next slots.
    ///   - ledger: the state read from the state directory (`LedgerReader`).
    package init(jobFile: JobFile?, ledger: LedgerState, nowMs: Int64) {
        self.nowMs = nowMs
        var rows: [Row] = []
        let jobs = jobFile?.jobs ?? []
        for (order, job) in jobs.enumerated() {
            let remembered = ledger.jobs[job.name]
            var row = Self.row(name: job.name, flow: job.flow, ledger: remembered, zone: job.timeZone, nowMs: nowMs)
            row.enabled = job.enabled
            row.inJobFile = true
            row.jitterMilliseconds = job.jitterMilliseconds
            row.bounds = job.bounds
            if job.enabled {
                row.next = Self.nextSlot(job: job, order: order, watermark: remembered?.watermark, nowMs: nowMs)
            }
            rows.append(row)
        }
        let named = Set(jobs.map(\.name))
        let zone = jobFile?.timeZone ?? .current
        for (name, remembered) in ledger.jobs.sorted(by: { $0.key < $1.key }) where !named.contains(name) {
            rows.append(Self.row(name: name, flow: remembered.flow, ledger: remembered, zone: zone, nowMs: nowMs))
        }
        self.rows = rows
    }

    static func row(name: String, flow: String, ledger: JobLedger?, zone: TimeZone, nowMs: Int64) -> Row {
        var slots: [Int64: SlotSummary] = [:]
        var pending = 0
        if let ledger {
            for summary in ledger.history { slots[summary.slot] = summary }
            // Open slots stay in their own maps even after they leave the history. A slot whose
            // `sent` was written ahead of a fire time still to come is not sent yet: not shown.
            for (slot, summary) in ledger.unresolved where summary.fireAt.map({ $0 * 1000 <= Double(nowMs) }) ?? true {
                slots[slot] = summary
                pending += 1
            }
            for (slot, summary) in ledger.running { slots[slot] = summary }
        }
        return Row(
            job: name, flow: ledger?.flow ?? flow, enabled: true, inJobFile: false, timeZone: zone, jitterMilliseconds: 0,
            slots: slots.values.sorted { $0.slot > $1.slot },
            pending: pending, running: ledger?.running.count ?? 0, next: nil
        )
    }

    /// The job's first slot that fires after now and that the daemon has not decided yet (a
    /// slot at or before the ledger's watermark was already sent or skipped).
    static func nextSlot(job: Job, order: Int, watermark: Int64?, nowMs: Int64) -> NextSlot? {
        guard var due = SchedulePlanner.firstFuture(job: job, order: order, nowMs: nowMs) else { return nil }
        if let watermark, due.slot <= watermark {
            guard let slot = job.schedule.nextSlot(after: watermark) else { return nil }
            due = DueSlot(job: job, jobOrder: order, slot: slot)
        }
        return NextSlot(slot: due.slot, fireMs: due.fireMs, token: due.token)
    }

    // MARK: - Table

    static let columns = [
        TableColumn("JOB", shortenTo: 6), TableColumn("FLOW", shortenTo: 6), TableColumn("LAST", wideOnly: true),
        TableColumn("PASSED"), TableColumn("OUTCOME"), TableColumn("EXECUTION", shortenTo: 9, first: true),
        TableColumn("RECORDS", wideOnly: true), TableColumn("NEXT", wideOnly: true), TableColumn("LEFT"),
        TableColumn("ERROR", shortenTo: 10, first: true),
    ]

    static let historyColumns = [
        TableColumn("SLOT"), TableColumn("OUTCOME"), TableColumn("ATTEMPTS"), TableColumn("EXECUTION", shortenTo: 9, first: true),
        TableColumn("RECORDS", wideOnly: true), TableColumn("SENT", wideOnly: true), TableColumn("TOKEN", shortenTo: 14, first: true),
        TableColumn("ERROR", shortenTo: 10, first: true),
    ]

    /// JOB, FLOW, LAST (the newest slot's fire time in the job's zone), PASSED, OUTCOME,
    /// EXECUTION, RECORDS, NEXT, LEFT, ERROR; sorted by next fire time like
    /// `systemctl list-timers`, jobs with no next slot last. On a terminal (`layout.width`) LAST,
    /// RECORDS and NEXT are left out (PASSED and LEFT stay) and long cells are shortened.
    package func table(layout: TableLayout = .full) -> String {
        var lines: [(sortKey: Int64, cells: [String])] = []
        for row in rows {
            var cells = [row.job, row.flow]
            if let last = row.last {
                let fire = fireMs(last, row)
                cells += [
                    ReportFormat.localText(millis: fire, zone: row.timeZone), ReportFormat.span(millis: nowMs - fire) + " ago",
                    Self.outcomeText(last), last.executionId ?? "-", last.recordsProcessed.map { "\($0)" } ?? "-",
                ]
            } else {
                cells += ["-", "-", "never run", "-", "-"]
            }
            if let next = row.next {
                cells += [ReportFormat.localText(millis: next.fireMs, zone: row.timeZone), ReportFormat.span(millis: next.fireMs - nowMs) + " left"]
            } else if row.ended {
                // In LEFT, which a terminal's narrow table keeps (NEXT is left out there).
                cells += ["-", "ended"]
            } else {
                cells += [row.inJobFile ? (row.enabled ? "n/a" : "disabled") : "not in job file", "-"]
            }
            cells.append(row.last.flatMap(\.errorCode) ?? "-")
            lines.append((row.next?.fireMs ?? .max, cells))
        }
        let sorted = lines.enumerated().sorted { ($0.element.sortKey, $0.offset) < ($1.element.sortKey, $1.offset) }.map(\.element.cells)
        var out = ReportFormat.table(Self.columns, sorted, layout: layout)
        if layout.legend { out += "\n\(rows.count) job\(rows.count == 1 ? "" : "s") listed.\n" }
        return out
    }

    /// One job's newest `count` slots, newest first: SLOT, OUTCOME, ATTEMPTS, EXECUTION, RECORDS,
    /// SENT, TOKEN, ERROR (code and message). Nil when no row has that job name.
    package func historyTable(job name: String, count: Int, layout: TableLayout = .full) -> String? {
        guard let row = rows.first(where: { $0.job == name }) else { return nil }
        var cells: [[String]] = []
        for summary in row.slots.prefix(max(0, count)) {
            let error = [summary.errorCode, summary.message].compactMap { $0 }.joined(separator: ": ")
            cells.append([
                ReportFormat.localText(millis: fireMs(summary, row), zone: row.timeZone), Self.outcomeText(summary),
                summary.attempts.map { "\($0)" } ?? "-", summary.executionId ?? "-",
                summary.recordsProcessed.map { "\($0)" } ?? "-",
                summary.firstSentAt.map { ReportFormat.localText(millis: Int64(($0 * 1000).rounded()), zone: row.timeZone) } ?? "-",
                summary.token, error.isEmpty ? "-" : error,
            ])
        }
        var out = ""
        if layout.legend {
            let title = TerminalText.escaped("\(row.job) (flow \(row.flow))") + ": \(cells.count) of \(row.slots.count) slot\(row.slots.count == 1 ? "" : "s") in the ledger"
            out += (layout.width.map { ReportFormat.shorten(title, to: $0) } ?? title) + "\n\n"
        }
        out += ReportFormat.table(Self.historyColumns, cells, layout: layout)
        return out
    }

    /// The slot's fire time: nominal time plus the job's deterministic jitter (of the token it was
    /// sent with), never after the job's `end`.
    func fireMs(_ summary: SlotSummary, _ row: Row) -> Int64 {
        guard row.jitterMilliseconds > 0, !summary.token.isEmpty else { return summary.slot * 1000 }
        let jitter = row.bounds.jitterMilliseconds(slot: summary.slot, jitterMilliseconds: row.jitterMilliseconds)
        return summary.slot * 1000 + Jitter.offsetMilliseconds(token: summary.token, jitterMilliseconds: jitter)
    }

    /// The outcome as the journal's EVENT names it; `pending` for a slot sent without an answer yet.
    static func outcomeText(_ summary: SlotSummary) -> String {
        summary.outcome?.rawValue ?? "pending"
    }
}
