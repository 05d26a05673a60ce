import Foundation
import TOMLKit

extension JobFileLoader {
    /// Reads the files of a ``JobFileSet`` in order: the main file's top level gives every job its
    /// defaults; the other files add jobs only. Every file is read even after one fails, so that
    /// all problems are reported at once, each naming its own file.
    static func load(_ set: JobFileSet, now: Int64) -> (jobFile: JobFile?, diagnostics: [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        var failed = false
        var mainTable = TOMLTable()
        var mainBytes: [UInt8] = []
        if let main = set.main {
            switch read(path: main).flatMap({ bytes in table(bytes: bytes, fileName: main).map { (bytes, $0) } }) {
            case .success(let (bytes, table)): (mainBytes, mainTable) = (bytes, table)
            case .failure(let diagnostic): diagnostics.append(diagnostic); failed = true
            }
        }
        var validator = JobFileValidator(fileName: set.mainPath, locator: SourceLocator(mainBytes), now: now)
        var jobFile = validator.validate(mainTable)
        jobFile.path = set.config
        diagnostics += sorted(validator.diagnostics)
        let defaults = validator.defaults ?? JobDefaults(timeZone: jobFile.timeZone, timeZoneIsExplicit: false, catchUp: .latest,
                                                         catchUpWindow: .seconds(6 * 3600), region: nil, role: JobFileValidator.RoleKeys(),
                                                         retry: RetrySettings(), tokenSalt: "")
        var names: [String: String] = [:]
        if !set.fragments.isEmpty {
            for job in jobFile.jobs where names[job.name] == nil { names[job.name] = "\(job.file):\(job.line)" }
        }
        for path in set.fragments {
            let bytes: [UInt8]
            let table: TOMLTable
            switch read(path: path).flatMap({ bytes in self.table(bytes: bytes, fileName: path).map { (bytes, $0) } }) {
            case .success(let (b, t)): (bytes, table) = (b, t)
            case .failure(let diagnostic): diagnostics.append(diagnostic); failed = true; continue
            }
            var fragment = JobFileValidator(fileName: path, locator: SourceLocator(bytes), now: now)
            fragment.earlierNames = names
            let jobs = fragment.validateJobsOnly(table, defaults: defaults, mainFile: set.mainPath)
            diagnostics += sorted(fragment.diagnostics)
            for job in jobs where names[job.name] == nil { names[job.name] = "\(path):\(job.line)" }
            jobFile.jobs += jobs
        }
        diagnostics += unusedRoleKeys(mainTable, jobs: jobFile.jobs, fileName: set.mainPath, bytes: mainBytes, now: now)
        failed = failed || diagnostics.contains { $0.severity == .error }
        return (failed ? nil : jobFile, diagnostics)
    }
}
