import AppFlow
import JobFile

/// What a job file needs of the environment before its first slot, checked alike by
/// `appflowd check`, at start and at reload: a region for every enabled job (from the file, the
/// environment or the profile), a usable endpoint, proxy and CA bundle. Disabled jobs need none.
package enum ClientSetup {
    /// The regions and roles the enabled jobs' calls use: one client each.
    package static func targets(of jobFile: JobFile) -> Set<CallTarget> {
        Set(jobFile.jobs.filter(\.enabled).map(\.target))
    }

    /// One error per region setting that cannot be resolved, at the first enabled job using it,
    /// in the job file's `FILE:LINE:COLUMN: error:` form.
    package static func problems(jobFile: JobFile, environment: [String: String]) -> [Diagnostic] {
        var seen: Set<String?> = []
        var problems: [Diagnostic] = []
        for job in jobFile.jobs where job.enabled && seen.insert(job.region).inserted {
            do {
                _ = try AppFlowClient.Configuration.fromEnvironment(environment, region: job.region, regionSource: .jobFile)
            } catch {
                let others = jobFile.jobs.filter { $0.enabled && $0.region == job.region }.count - 1
                let who = "job '\(job.name)'" + (others > 0 ? " (and \(others) more job\(others == 1 ? "" : "s"))" : "")
                problems.append(Diagnostic(file: job.file.isEmpty ? jobFile.path : job.file, line: job.line, column: 1, severity: .error, message: "\(who): \(error)"))
            }
        }
        return problems
    }
}
