import TOMLKit

extension JobFileValidator {
    /// A jobs-only file (in `jobs.d`, or beside `jobs.toml` in a `--config` directory): `[[job]]`
    /// tables that take the main file's defaults, and no top-level key.
    mutating func validateJobsOnly(_ table: TOMLTable, defaults: JobDefaults, mainFile: String) -> [Job] {
        for key in table.keys where key != "job" {
            if Self.topKeys.contains(key) {
                let perJob = Self.jobKeys.contains(key) ? key == "retry" ? ", or [job.retry] in a job here" : ", or in a [[job]] here" : ""
                report(key, "'\(key)' is a top-level key, which only the main job file (\(mainFile)) may set\(perJob): this file holds [[job]] tables only", at: .key)
            } else if Self.jobKeys.contains(key) {
                report(key, "'\(key)' is outside any [[job]] table: this file holds [[job]] tables only", at: .key)
            } else {
                report(key, KeySuggestion.message(for: key, known: Self.jobKeys + ["job"], context: "") + " (this file holds [[job]] tables only)", at: .key)
            }
        }
        return jobs(table["job"], defaults: defaults)
    }
}
