import Foundation
import JobFile
import Scheduling
import Testing

/// Replays the job-file fuzzing corpus (`fuzz/corpus/jobfile`, grown by `scripts/fuzz`): every
/// input loads or gives diagnostics with a position, never a crash.
@Suite(.timeLimit(.minutes(5))) struct FuzzCorpusTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fuzz/corpus/jobfile")

    static func inputs() -> [(name: String, text: String)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.sorted().compactMap { name in
            FileManager.default.contents(atPath: directory.appendingPathComponent(name).path)
                .map { (name, String(decoding: $0, as: UTF8.self)) }
        }
    }

    @Test func everyInputLoadsOrIsDiagnosed() {
        let inputs = Self.inputs()
        #expect(inputs.count >= 3)
        for (name, text) in inputs {
            let (file, diagnostics) = JobFileLoader.parse(text, fileName: "fuzz.toml", now: 1_795_564_800)
            if file == nil {
                #expect(!diagnostics.isEmpty, "\(name): no jobs and no diagnostic")
            }
            for diagnostic in diagnostics {
                #expect(diagnostic.description.hasPrefix("fuzz.toml:"), "\(name): \(diagnostic.description)")
            }
            for job in file?.jobs ?? [] where job.enabled {
                if let slot = job.schedule.nextSlot(after: 1_795_564_800) {
                    #expect(slot > 1_795_564_800)
                }
            }
        }
    }

    /// Found by fuzzing: toml++ aborted on a table header whose key starts with a character no
    /// key starts with. Now a diagnostic at the character.
    @Test(arguments: [
        ("[#", 1, 2), ("[\n[[job]]", 1, 2), ("[ =", 1, 3), ("[[.x]]", 1, 3), ("[", 1, 2), ("[[ [ = \"fl\"", 1, 4), ("[ [x]]", 1, 3),
        ("[[job]]\nname = \"x\"\n  [ \t{", 3, 6), ("x = [\n[} 1]\n]", 2, 2),
    ])
    func tableHeadersTomlPlusPlusCannotParseAreDiagnosed(text: String, line: Int, column: Int) {
        let (file, diagnostics) = JobFileLoader.parse(text, fileName: "f.toml", now: 1_795_564_800)
        #expect(file == nil)
        #expect(diagnostics.map(\.description) == ["f.toml:\(line):\(column): error: TOML syntax: invalid table header: expected a key after '['"])
    }

    @Test(arguments: ["[job]\n", "[ \"job\" ]\n", "['a'.b]\n", "[[job]]\r\nname = \"x\"\r\nflow = \"x\"\r\nevery = \"1h\"\r\n", "[ ]\n", "[]\n"])
    func validOrOrdinaryHeadersStillReachTheParser(text: String) {
        let (_, diagnostics) = JobFileLoader.parse(text, fileName: "f.toml", now: 1_795_564_800)
        #expect(!diagnostics.contains { $0.message.contains("expected a key after") })
    }
}
