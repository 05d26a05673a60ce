import Foundation
import Testing
@testable import JobFile

/// The job file with `jobs.d/*.toml` beside it, or a directory named by `--config`.
@Suite(.timeLimit(.minutes(1)))
struct JobFileSetTests {
    let root: String

    init() throws {
        root = NSTemporaryDirectory() + "appflowd-jobfileset-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root + "/jobs.d", withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: root + "/" + name))
    }

    func job(_ name: String, _ extra: String = "") -> String {
        "[[job]]\nname = \"\(name)\"\nflow = \"flow-\(name)\"\nevery = \"1h\"\n\(extra)"
    }

    func load(_ config: String) -> (names: [String], files: [String], diagnostics: [String]) {
        let (file, diagnostics) = JobFileLoader.load(path: config, now: fixtureNow)
        let jobs = file?.jobs ?? []
        return (jobs.map(\.name), jobs.map { String($0.file.dropFirst(root.count + 1)) }, diagnostics.map { $0.description.replacingOccurrences(of: root + "/", with: "") })
    }

    @Test func dropInsFollowTheMainFileInNameOrderWithItsDefaults() throws {
        try write("jobs.toml", "timezone = \"Asia/Tokyo\"\ncatch_up = \"all\"\n" + job("main"))
        try write("jobs.d/20-b.toml", job("b"))
        try write("jobs.d/10-a.toml", job("a") + job("a2"))
        try write("jobs.d/B.toml", job("upper"))
        // Ignored: hidden files, other suffixes, editor backups, directories.
        try write("jobs.d/.hidden.toml", "not toml at all [")
        try write("jobs.d/30-c.toml~", "not toml at all [")
        try write("jobs.d/30-c.toml.swp", "not toml at all [")
        try write("jobs.d/README", "not toml at all [")
        try FileManager.default.createDirectory(atPath: root + "/jobs.d/sub.toml", withIntermediateDirectories: true)
        try write("other.toml", job("not-read-beside-a-file"))
        let (file, diagnostics) = JobFileLoader.load(path: root + "/jobs.toml", now: fixtureNow)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let jobs = try #require(file).jobs
        // Byte order, as `LC_ALL=C ls`: digits before capitals.
        #expect(jobs.map(\.name) == ["main", "a", "a2", "b", "upper"])
        #expect(jobs.allSatisfy { $0.timeZone.identifier == "Asia/Tokyo" && $0.catchUp == .all })
        #expect(jobs.map { $0.file.replacingOccurrences(of: root + "/", with: "") }
                == ["jobs.toml", "jobs.d/10-a.toml", "jobs.d/10-a.toml", "jobs.d/20-b.toml", "jobs.d/B.toml"])
        #expect(jobs.map(\.line) == [3, 1, 5, 1, 1])
        #expect(file?.path == root + "/jobs.toml")
    }

    @Test func diagnosticsNameTheFileThatHoldsTheProblem() throws {
        try write("jobs.toml", "region = \"eu-west-1\"\n" + job("main"))
        try write("jobs.d/a.toml", "[[job]]\nname = \"x\"\nflow = \"fx\"\nevery = \"often\"\n")
        try write("jobs.d/b.toml", "region = \"us-east-1\"\nmax_concurrency = 4\nflow = \"stray\"\ncolor = 1\n" + job("y"))
        try write("jobs.d/c.toml", "[[job\n")
        let result = load(root + "/jobs.toml")
        #expect(result.names.isEmpty)
        #expect(result.diagnostics == [
            "jobs.d/a.toml:4:10: error: bad duration for 'every': 'often' is not a duration: expected a number at 'often'; write e.g. 90s, 15m, 1h30m, 2d, 500ms",
            "jobs.d/b.toml:1:1: error: 'region' is a top-level key, which only the main job file (jobs.toml) may set, or in a [[job]] here: this file holds [[job]] tables only",
            "jobs.d/b.toml:2:1: error: 'max_concurrency' is a top-level key, which only the main job file (jobs.toml) may set: this file holds [[job]] tables only",
            "jobs.d/b.toml:3:1: error: 'flow' is outside any [[job]] table: this file holds [[job]] tables only",
            "jobs.d/b.toml:4:1: error: unknown key 'color' (this file holds [[job]] tables only)",
            "jobs.d/c.toml:1:6: error: TOML syntax: Error while parsing table header: expected ']', saw '\\n'",
        ])
    }

    @Test func jobNamesAreUniqueAcrossFiles() throws {
        try write("jobs.toml", job("shared"))
        try write("jobs.d/a.toml", "\n" + job("shared"))
        try write("jobs.d/b.toml", "[[job]]\nflow = \"flow-only\"\nevery = \"1h\"\n" + job("a-only"))
        try write("jobs.d/c.toml", job("a-only") + "[[job]]\nflow = \"flow-only\"\nevery = \"2h\"\n")
        #expect(load(root + "/jobs.toml").diagnostics == [
            "jobs.d/a.toml:3:8: error: duplicate job name 'shared' (first used in jobs.toml:1); names must be unique across the job file and jobs.d, and default to the flow name",
            "jobs.d/c.toml:2:8: error: duplicate job name 'a-only' (first used in jobs.d/b.toml:4); names must be unique across the job file and jobs.d, and default to the flow name",
            "jobs.d/c.toml:5:1: error: duplicate job name 'flow-only' (first used in jobs.d/b.toml:1); names must be unique across the job file and jobs.d, and default to the flow name",
        ])
    }

    @Test func aDirectoryIsItsJobsTomlThenItsOtherFilesThenJobsD() throws {
        try write("jobs.toml", "token_salt = \"s\"\n" + job("main"))
        try write("a.toml", job("beside"))
        try write("jobs.d/a.toml", job("dropin"))
        for config in [root, root + "/"] {
            let (file, diagnostics) = JobFileLoader.load(path: config, now: fixtureNow)
            #expect(diagnostics.isEmpty, "\(diagnostics)")
            #expect(file?.jobs.map(\.name) == ["main", "beside", "dropin"])
            #expect(file?.jobs.allSatisfy { $0.tokenSalt == "s" } == true)
            #expect(file?.path == config)
        }
        // Without jobs.toml every file holds jobs only, and top-level keys are an error there.
        try FileManager.default.removeItem(atPath: root + "/jobs.toml")
        #expect(load(root).names == ["beside", "dropin"])
        try write("b.toml", "timezone = \"UTC\"\n")
        #expect(load(root).diagnostics == [
            "b.toml:1:1: error: 'timezone' is a top-level key, which only the main job file (jobs.toml) may set, or in a [[job]] here: this file holds [[job]] tables only",
        ])
    }

    @Test func emptyOrMissingPlacesAreDiagnosed() throws {
        let empty = root + "/jobs.d"
        #expect(load(empty).diagnostics == ["jobs.d:1:1: error: directory holds no job file: put jobs.toml (or any *.toml) in it"])
        #expect(load(root + "/nope").diagnostics == ["nope:1:1: error: job file does not exist"])
        // An empty jobs.d beside the file (as the packages ship it) is no problem.
        try write("jobs.toml", "")
        let (file, diagnostics) = JobFileLoader.load(path: root + "/jobs.toml", now: fixtureNow)
        #expect(diagnostics.isEmpty && file?.jobs.isEmpty == true)
        // A pipe is refused, not read (it would block).
        #expect(mkfifo(root + "/jobs.d/pipe.toml", 0o600) == 0)
        #expect(load(root + "/jobs.toml").diagnostics == ["jobs.d/pipe.toml:1:1: error: job file is not a regular file"])
        try FileManager.default.removeItem(atPath: root + "/jobs.d/pipe.toml")
        try FileManager.default.createSymbolicLink(atPath: root + "/jobs.d/gone.toml", withDestinationPath: root + "/nowhere.toml")
        #expect(load(root + "/jobs.toml").diagnostics == ["jobs.d/gone.toml:1:1: error: job file does not exist (a broken link?)"])
    }

    @Test func jobsDIsFoundBesideTheFileAsWritten() {
        #expect(JobFileSet.parent(of: "jobs.toml") == "" && JobFileSet.parent(of: "/jobs.toml") == "/")
        #expect(JobFileSet.join(JobFileSet.parent(of: "jobs.toml"), "jobs.d") == "jobs.d")
        #expect(JobFileSet.join(JobFileSet.parent(of: "/etc/appflowd/jobs.toml"), "jobs.d") == "/etc/appflowd/jobs.d")
    }
}
