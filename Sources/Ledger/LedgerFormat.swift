import Foundation

/// The on-disk format: names, the version, and the JSON of each line.
///
/// `ledger.jsonl` is JSON Lines: a header line, then one line per job of the last snapshot,
/// then one line per record appended since. See docs/ledger.md.
enum LedgerFormat {
    static let version = 1
    static let formatName = "appflowd-ledger"
    static let fileName = "ledger.jsonl"
    static let temporaryFileName = "ledger.jsonl.tmp"
    static let lockFileName = "ledger.lock"

    /// Thrown while decoding a line whose `"v"` this version does not understand.
    struct VersionMismatch: Error {
        var found: Int
    }

    static func checkVersion<Key: CodingKey>(_ found: Int?, in container: KeyedDecodingContainer<Key>) throws {
        guard let found else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: container.codingPath, debugDescription: "missing \"v\""))
        }
        if found != version { throw VersionMismatch(found: found) }
    }

    static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        // Keys in a fixed order make snapshots byte-for-byte reproducible.
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// The lines for `records`, each ending in a newline.
    static func encode(_ records: [LedgerRecord], with encoder: JSONEncoder = makeEncoder()) throws -> Data {
        var data = Data()
        for record in records {
            data.append(try encoder.encode(record))
            data.append(newline)
        }
        return data
    }

    /// A whole snapshot file: the header, then one line per job in name order.
    static func snapshot(of state: LedgerState, createdAt: Double) throws -> Data {
        let encoder = makeEncoder()
        var data = try encoder.encode(HeaderLine(createdAt: createdAt, jobs: state.jobs.count))
        data.append(newline)
        for name in state.jobs.keys.sorted() {
            guard let job = state.jobs[name] else { continue }
            data.append(try encoder.encode(JobLine(name: name, job: job)))
            data.append(newline)
        }
        return data
    }

    static let newline = UInt8(ascii: "\n")
}

/// The first line of the file: `{"v":1,"kind":"header","format":"appflowd-ledger",...}`.
struct HeaderLine: Codable {
    var v = LedgerFormat.version
    var kind = "header"
    var format = LedgerFormat.formatName
    /// When this file (the last snapshot) was written, Unix seconds.
    var createdAt: Double
    /// How many job lines follow.
    var jobs: Int
}

/// One job of a snapshot: exactly the replayed `JobLedger`, maps written as slot-ordered arrays.
struct JobLine: Codable {
    var v = LedgerFormat.version
    var kind = "job"
    var job: String
    var flow: String
    var watermark: Int64?
    var unresolved: [SlotSummary]
    var running: [SlotSummary]
    var history: [SlotSummary]

    init(name: String, job ledger: JobLedger) {
        job = name
        flow = ledger.flow
        watermark = ledger.watermark
        unresolved = ledger.unresolved.values.sorted { $0.slot < $1.slot }
        running = ledger.running.values.sorted { $0.slot < $1.slot }
        history = ledger.history
    }

    func jobLedger(historyLimit: Int) -> JobLedger {
        var ledger = JobLedger(
            flow: flow, watermark: watermark,
            unresolved: Dictionary(unresolved.map { ($0.slot, $0) }, uniquingKeysWith: { _, last in last }),
            running: Dictionary(running.map { ($0.slot, $0) }, uniquingKeysWith: { _, last in last }),
            history: history.sorted { $0.slot < $1.slot })
        ledger.trimHistory(to: historyLimit)
        return ledger
    }
}

/// Any line of the file, told apart by `"kind"`.
enum LedgerLine: Decodable {
    case header(HeaderLine)
    case job(JobLine)
    case record(LedgerRecord)

    private enum Keys: String, CodingKey { case v, kind }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        try LedgerFormat.checkVersion(c.decodeIfPresent(Int.self, forKey: .v), in: c)
        switch try c.decode(String.self, forKey: .kind) {
        case "header": self = .header(try HeaderLine(from: decoder))
        case "job": self = .job(try JobLine(from: decoder))
        default: self = .record(try LedgerRecord(from: decoder))
        }
    }
}
