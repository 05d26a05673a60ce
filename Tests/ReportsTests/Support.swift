import JobFile

/// 2026-11-26T00:00:00Z: "now" for the reports built from job-file text.
let fixtureNow: Int64 = 1_795_651_200

/// A job file from TOML text, failing the test on any diagnostic.
func jobFile(_ text: String, now: Int64 = 1_800_000_000) throws -> JobFile {
    let (file, diagnostics) = JobFileLoader.parse(text, fileName: "test.toml", now: now)
    guard let file else { throw JobFileProblem(diagnostics: diagnostics.map(\.description)) }
    return file
}

struct JobFileProblem: Error { var diagnostics: [String] }
