import Foundation
import Scheduling
import Testing

/// Replays the fuzzing corpus (`fuzz/corpus/`, grown by `scripts/fuzz`): every input, fed to every
/// schedule parser, parses or fails with an error, and a parsed schedule's next slots move forward.
/// A crash here is a regression of something the fuzzer once found.
@Suite(.timeLimit(.minutes(5))) struct FuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fuzz/corpus")

    /// Every file of the given corpus folders, as text (invalid UTF-8 repaired, as the harness does).
    static func inputs(_ folders: [String]) -> [String] {
        folders.flatMap { folder -> [String] in
            let directory = corpus.appendingPathComponent(folder)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            return names.sorted().compactMap { name in
                FileManager.default.contents(atPath: directory.appendingPathComponent(name).path)
                    .map { String(decoding: $0, as: UTF8.self) }
            }
        }
    }

    static let zones = ["UTC", "Europe/Berlin", "America/New_York"].compactMap(TimeZone.init(identifier:))
    static let now: Int64 = 1_795_564_800

    @Test func theCorpusIsThere() {
        #expect(Self.inputs(["cron"]).count >= 5)
        #expect(Self.inputs(["calendar"]).count >= 5)
        #expect(Self.inputs(["duration"]).count >= 5)
    }

    @Test func everyInputParsesOrFailsCleanly() {
        var parsed = 0
        for text in Self.inputs(["cron", "calendar", "duration"]) {
            for zone in Self.zones {
                if let cron = try? CronSchedule(parsing: text, timeZone: zone) {
                    parsed += 1
                    expectForward(cron.nextSlot(after:), text)
                }
                if let calendar = try? CalendarSchedule(parsing: text, timeZone: zone) {
                    parsed += 1
                    expectForward(calendar.nextSlot(after:), text)
                }
                _ = try? AtSchedule.parseTime(text, timeZone: zone)
            }
            if let duration = try? DurationParser.parse(text) {
                _ = DurationFormatter.format(duration)
                if let every = try? EverySchedule(interval: duration, offset: duration / 3) {
                    expectForward(every.nextSlot(after:), text)
                }
            }
        }
        #expect(parsed > 0)
    }

    private func expectForward(_ next: (Int64) -> Int64?, _ text: String) {
        var cursor = Self.now
        for _ in 0..<3 {
            guard let slot = next(cursor) else { return }
            #expect(slot > cursor, "next slot went backwards for \(text.debugDescription)")
            cursor = slot
        }
    }
}

/// Found by fuzzing: a long `~` (end of month) chain trapped while building the error message's range.
@Suite(.timeLimit(.minutes(5))) struct CalendarFuzzFindingTests {
    @Test func aLongEndOfMonthChainIsAnErrorNotATrap() {
        let days = (1...12).map(String.init).joined(separator: ",")
        #expect(throws: ScheduleSyntaxError.self) {
            try CalendarSchedule(parsing: "*-*~\(days) 00:00", timeZone: TimeZone(identifier: "UTC")!)
        }
    }
}
