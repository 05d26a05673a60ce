// libFuzzer entry points for appflowd's parsers. Built by scripts/fuzz with
// `swiftc -sanitize=fuzzer` and one of -D FUZZ_CRON, FUZZ_CALENDAR, FUZZ_DURATION, FUZZ_JOBFILE,
// FUZZ_EMULATOR; the parsers' sources are compiled with the same instrumentation, so coverage
// guides the search through them. A crash, a trap or a hang (-timeout) is a finding.
import Foundation
#if FUZZ_JOBFILE
import JobFile
#endif
#if FUZZ_CRON || FUZZ_CALENDAR || FUZZ_DURATION || FUZZ_JOBFILE
import Scheduling
#endif
#if FUZZ_EMULATOR
import AppFlowEmulator
import SigV4
#endif

/// 2026-11-25T00:00:00Z: a fixed "now", so a finding replays the same way.
let fuzzNow: Int64 = 1_795_564_800

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let text = String(decoding: bytes, as: UTF8.self)
    #if FUZZ_CRON
    FuzzTargets.cron(text)
    #elseif FUZZ_CALENDAR
    FuzzTargets.calendar(text)
    #elseif FUZZ_DURATION
    FuzzTargets.duration(text)
    #elseif FUZZ_JOBFILE
    FuzzTargets.jobFile(text)
    #elseif FUZZ_EMULATOR
    FuzzTargets.emulator(bytes)
    #endif
    return 0
}

enum FuzzTargets {
    #if FUZZ_CRON || FUZZ_CALENDAR || FUZZ_DURATION || FUZZ_JOBFILE
    static let zones = [TimeZone(identifier: "UTC")!, TimeZone(identifier: "Europe/Berlin")!, TimeZone(identifier: "America/New_York")!]

    /// Parses, then asks for a few next slots: the search must end even for odd expressions.
    static func cron(_ text: String) {
        for zone in zones {
            guard let schedule = try? CronSchedule(parsing: text, timeZone: zone) else { continue }
            var cursor = fuzzNow
            for _ in 0..<3 {
                guard let next = schedule.nextSlot(after: cursor) else { break }
                precondition(next > cursor, "nextSlot went backwards")
                cursor = next
            }
        }
    }

    static func calendar(_ text: String) {
        for zone in zones {
            guard let schedule = try? CalendarSchedule(parsing: text, timeZone: zone) else { continue }
            var cursor = fuzzNow
            for _ in 0..<3 {
                guard let next = schedule.nextSlot(after: cursor) else { break }
                precondition(next > cursor, "nextSlot went backwards")
                cursor = next
            }
        }
    }

    static func duration(_ text: String) {
        if let parsed = try? DurationParser.parse(text) {
            _ = DurationFormatter.format(parsed)
            _ = try? EverySchedule(interval: parsed, offset: parsed / 3).nextSlot(after: fuzzNow)
        }
        for zone in zones {
            _ = try? AtSchedule.parseTime(text, timeZone: zone)
        }
    }
    #endif

    #if FUZZ_JOBFILE
    static func jobFile(_ text: String) {
        let (file, diagnostics) = JobFileLoader.parse(text, fileName: "fuzz.toml", now: fuzzNow)
        for diagnostic in diagnostics { _ = diagnostic.description }
        guard let file else { return }
        for job in file.jobs where job.enabled {
            _ = job.schedule.nextSlot(after: fuzzNow)
        }
    }
    #endif

    #if FUZZ_EMULATOR
    static let clock = ManualEmulatorClock()
    static let core: EmulatorCore = {
        let configuration = EmulatorConfiguration(
            flows: [EmulatedFlow(name: "daily-sync"), EmulatedFlow(name: "hourly", trigger: .scheduled)],
            credentials: ["AKIDFUZZ": "fuzz-secret"], runDuration: 1, region: "eu-west-1", seed: 1,
            clock: clock, requestHistoryLimit: 1000)
        return try! EmulatorCore(configuration: configuration)
    }()

    /// The input is split into a request: method, target, headers (name: value lines), body. Half
    /// the time the request is signed with the emulator's key, so the search gets past SigV4 to
    /// the JSON decoding, validation and operations.
    static func emulator(_ bytes: [UInt8]) {
        guard let first = bytes.first else { return }
        let rest = Array(bytes.dropFirst())
        let parts = rest.split(separator: 0, maxSplits: 3, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        let method = parts.count > 0 && !parts[0].isEmpty ? parts[0] : "POST"
        let uri = parts.count > 1 ? parts[1] : "/start-flow"
        var headers: [(name: String, value: String)] = [("Host", "127.0.0.1:8555")]
        if parts.count > 2 {
            for line in parts[2].split(separator: "\n") {
                let pieces = line.split(separator: ":", maxSplits: 1)
                if pieces.count == 2 { headers.append((String(pieces[0]), String(pieces[1]))) }
            }
        }
        let body = parts.count > 3 ? Array(parts[3].utf8) : []
        var request = IncomingRequest(method: method, uri: uri, headers: headers, body: body)
        if first & 1 == 1 {
            let path = String(uri.prefix { $0 != "?" })
            let query = uri.contains("?") ? String(uri.drop { $0 != "?" }.dropFirst()) : ""
            let signer = SigV4Signer(
                credentials: SigV4Credentials(accessKeyId: "AKIDFUZZ", secretAccessKey: "fuzz-secret", sessionToken: nil),
                region: "eu-west-1", service: "appflow")
            let added = signer.sign(SigV4Request(method: method, path: path, query: query, headers: headers, body: body), date: clock.now())
            request.headers += added
        }
        let response = core.handle(request)
        _ = response.status
        if first & 2 == 2 { core.reset() }
    }
    #endif
}
