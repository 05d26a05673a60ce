import Foundation
import Scheduling
import TOMLKit

/// Walks TOMLKit's tables, checks every key and value, and collects diagnostics with positions
/// from ``SourceLocator``. Defaults first, then the top level, then each job's overrides.
struct JobFileValidator {
    static let topKeys = [
        "region", "timezone", "catch_up", "catch_up_window", "max_concurrency", "rate_limit", "token_salt",
        "metrics_listen", "metrics_file", "role_arn", "external_id", "role_session_name", "retry", "job",
    ]
    static let retryKeys = ["max_attempts", "initial_backoff", "max_backoff", "deadline"]
    static let globalOnlyKeys = ["max_concurrency", "rate_limit", "metrics_listen", "metrics_file"]

    let fileName: String
    let locator: SourceLocator
    let now: Int64
    var diagnostics: [Diagnostic] = []
    var errorCount = 0
    /// Job names taken by files read before this one (`jobs.d`), each with where: `FILE:LINE`.
    var earlierNames: [String: String] = [:]
    /// What this file's top level gives every job; set by ``validate(_:)``.
    var defaults: JobDefaults?
    /// Whether a (kind, zone, expression) still fires: proving that one never does scans 400 years,
    /// so a file repeating it must not pay that per job.
    var firesCache: [String: Bool] = [:]

    init(fileName: String, locator: SourceLocator, now: Int64) {
        self.fileName = fileName
        self.locator = locator
        self.now = now
    }

    // MARK: - Reporting

    enum Anchor { case key, value }

    /// Reports at a path's key or value; `extra` characters further right (inside a string).
    mutating func report(_ path: String, _ message: String, at anchor: Anchor = .value, extra: Int = 0, severity: Diagnostic.Severity = .error) {
        var line = 1
        var column = 1
        var probe = path
        // Fall back to the closest enclosing path that has a position (a header, say).
        while true {
            if let entry = locator.entry(probe) {
                (line, column) = locator.lineColumn(anchor == .key || probe != path ? entry.key : entry.value)
                if probe == path { column += extra }
                break
            }
            guard let cut = probe.lastIndex(where: { $0 == "." || $0 == "[" }) else { break }
            probe = String(probe[..<cut])
        }
        diagnostics.append(Diagnostic(file: fileName, line: line, column: column, severity: severity, message: message))
        if severity == .error { errorCount += 1 }
    }

    func line(of path: String) -> Int {
        locator.entry(path).map { locator.lineColumn($0.key).line } ?? 1
    }

    func offset(of path: String) -> Int {
        locator.entry(path)?.key ?? Int.max
    }

    // MARK: - Typed access

    static func typeName(_ value: any TOMLValueConvertible) -> String {
        switch value.type {
        case .table: "a table"
        case .array: "an array"
        case .string: "a string"
        case .int: "an integer"
        case .double: "a float"
        case .bool: "a boolean"
        case .date: "a date"
        case .time: "a time"
        case .dateTime: "a date-time"
        }
    }

    mutating func string(_ table: TOMLTable, _ key: String, _ path: String) -> String? {
        guard let value = table[key] else { return nil }
        guard let s = value.string else {
            report(path, "'\(key)' must be a string, not \(Self.typeName(value))")
            return nil
        }
        return s
    }

    mutating func bool(_ table: TOMLTable, _ key: String, _ path: String) -> Bool? {
        guard let value = table[key] else { return nil }
        guard let b = value.bool else {
            report(path, "'\(key)' must be true or false, not \(Self.typeName(value))")
            return nil
        }
        return b
    }

    mutating func int(_ table: TOMLTable, _ key: String, _ path: String, range: ClosedRange<Int>) -> Int? {
        guard let value = table[key] else { return nil }
        guard let n = value.int else {
            report(path, "'\(key)' must be an integer, not \(Self.typeName(value))")
            return nil
        }
        guard range.contains(n) else {
            report(path, "'\(key)' must be from \(range.lowerBound) to \(range.upperBound), not \(n)")
            return nil
        }
        return n
    }

    mutating func duration(_ table: TOMLTable, _ key: String, _ path: String, max: Duration? = nil, why: String = "") -> Duration? {
        guard let value = table[key] else { return nil }
        guard let text = value.string else {
            let hint = value.type == .int ? " (write \"\(value.int ?? 0)s\")" : ""
            report(path, "'\(key)' must be a duration string like \"90s\" or \"15m\", not \(Self.typeName(value))\(hint)")
            return nil
        }
        do {
            let d = try DurationParser.parse(text)
            if let max, d > max {
                report(path, "'\(key)' = \"\(text)\" is longer than \(DurationFormatter.format(max))\(why)")
                return nil
            }
            return d
        } catch {
            report(path, "bad duration for '\(key)': \(error.message)", extra: 1 + error.offset)
            return nil
        }
    }

    mutating func enumValue<E: RawRepresentable & CaseIterable>(_ table: TOMLTable, _ key: String, _ path: String, _: E.Type) -> E? where E.RawValue == String {
        guard let s = string(table, key, path) else { return nil }
        guard let e = E(rawValue: s) else {
            let allowed = E.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            report(path, "'\(key)' must be one of \(allowed), not \"\(s)\"")
            return nil
        }
        return e
    }

    mutating func timeZone(_ table: TOMLTable, _ path: String) -> TimeZone? {
        guard let id = string(table, "timezone", path) else { return nil }
        if let problem = ZoneNameAdvice.problem(with: id) {
            report(path, problem)
            return nil
        }
        let zone = TimeZoneNames.zone(named: id)
        if let zone, let warning = ZoneNameAdvice.fixedOffsetWarning(id, zone: zone, now: now) {
            report(path, warning, severity: .warning)
        }
        return zone
    }

    mutating func region(_ table: TOMLTable, _ path: String) -> String? {
        guard let r = string(table, "region", path) else { return nil }
        let ok = !r.isEmpty && r.count <= 64 && r.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
        if !ok { report(path, "'\(r)' is not an AWS region name (like \"eu-west-1\")") }
        if ok, let warning = AWSRegions.warning(for: r) { report(path, warning, severity: .warning) }
        return ok ? r : nil
    }

    mutating func checkUnknownKeys(_ table: TOMLTable, known: [String], prefix: String, context: String) {
        for key in table.keys where !known.contains(key) {
            let path = prefix.isEmpty ? key : prefix + "." + key
            report(path, KeySuggestion.message(for: key, known: known, context: context), at: .key)
        }
    }

    // MARK: - Sections

    mutating func retry(_ value: (any TOMLValueConvertible)?, path: String, base: RetrySettings) -> RetrySettings {
        guard let value else { return base }
        guard let table = value.table else {
            report(path, "'retry' must be a table ([retry]), not \(Self.typeName(value))")
            return base
        }
        checkUnknownKeys(table, known: Self.retryKeys, prefix: path, context: " in [\(path.hasPrefix("job") ? "job.retry" : "retry")]")
        var r = base
        if let n = int(table, "max_attempts", path + ".max_attempts", range: 1...100) { r.maxAttempts = n }
        if let d = duration(table, "initial_backoff", path + ".initial_backoff") { r.initialBackoff = d }
        if let d = duration(table, "max_backoff", path + ".max_backoff") { r.maxBackoff = d }
        if let d = duration(table, "deadline", path + ".deadline", max: JobFileLimits.tokenSafeLife,
                            why: ": AppFlow forgets a client token after 8 hours, so a later retry could start the flow twice") {
            r.deadline = d
        }
        // Only judge what this table sets: a job must not repeat an error of the [retry] it inherits.
        let setsBackoff = table["initial_backoff"] != nil || table["max_backoff"] != nil
        if setsBackoff, r.initialBackoff <= .zero {
            report(path + ".initial_backoff", "'initial_backoff' must be more than 0")
        }
        if setsBackoff, r.maxBackoff < r.initialBackoff {
            report(path + (table["max_backoff"] != nil ? ".max_backoff" : ".initial_backoff"), "'max_backoff' (\(DurationFormatter.format(r.maxBackoff))) is shorter than 'initial_backoff' (\(DurationFormatter.format(r.initialBackoff)))")
        }
        return r
    }

    mutating func validate(_ table: TOMLTable) -> JobFile {
        checkUnknownKeys(table, known: Self.topKeys, prefix: "", context: "")
        var file = JobFile(path: fileName, timeZone: timeZone(table, "timezone") ?? TimeZone.current)
        file.region = region(table, "region")
        let topRole = roleKeys(table, prefix: "")
        file.role = topRole.role
        if let n = int(table, "max_concurrency", "max_concurrency", range: 1...1024) { file.maxConcurrency = n }
        if let value = table["rate_limit"] {
            let number = value.double ?? value.int.map(Double.init)
            if let number, number >= 0, number.isFinite {
                file.rateLimit = number == 0 ? nil : number
            } else {
                report("rate_limit", "'rate_limit' must be a number of calls per second (0 = unlimited), not \(value.int.map { "\($0)" } ?? number.map { "\($0)" } ?? Self.typeName(value))")
            }
        }
        file.tokenSalt = string(table, "token_salt", "token_salt") ?? ""
        if let listen = string(table, "metrics_listen", "metrics_listen"), !listen.isEmpty {
            switch MetricsListen.parse(listen) {
            case .success(let address) where address.port == 0:
                report("metrics_listen", "'metrics_listen' needs a port from 1 to 65535: port 0 would be a different one at every start")
            case .success(let address):
                file.metricsListen = listen
                if address.isWildcard {
                    report("metrics_listen", "'metrics_listen' \"\(listen)\" serves /metrics on every interface, to anyone who can reach this host; "
                        + "prefer \"127.0.0.1:\(address.port)\" behind a firewall or proxy (docs/security.md)", severity: .warning)
                }
            case .failure(let problem):
                report("metrics_listen", "'metrics_listen' \(problem.message)")
            }
        }
        if let path = string(table, "metrics_file", "metrics_file"), !path.isEmpty {
            if path.hasPrefix("/") { file.metricsFile = path } else { report("metrics_file", "'metrics_file' must be an absolute path") }
        }
        let defaults = JobDefaults(
            timeZone: file.timeZone,
            timeZoneIsExplicit: table["timezone"] != nil,
            catchUp: enumValue(table, "catch_up", "catch_up", CatchUp.self) ?? .latest,
            catchUpWindow: catchUpWindow(table, "catch_up_window") ?? .seconds(6 * 3600),
            region: file.region,
            role: topRole,
            retry: retry(table["retry"], path: "retry", base: RetrySettings()),
            tokenSalt: file.tokenSalt)
        self.defaults = defaults
        file.jobs = jobs(table["job"], defaults: defaults)
        return file
    }

    /// The `[[job]]` tables of one file, in order, with `defaults` applied; names must be unique
    /// in the file and not among `earlierNames`.
    mutating func jobs(_ jobsValue: (any TOMLValueConvertible)?, defaults: JobDefaults) -> [Job] {
        guard let jobsValue else { return [] }
        guard let jobs = jobsValue.array else {
            report("job", "'job' must be an array of tables: write [[job]], not [job]", at: .key)
            return []
        }
        var names: [String: String] = [:]
        var result: [Job] = []
        result.reserveCapacity(jobs.count)
        var index = 0
        for element in jobs {
            defer { index += 1 }
            let path = "job[\(index)]"
            guard let jobTable = element.table else {
                report(path, "each job must be a table ([[job]]), not \(Self.typeName(element))")
                continue
            }
            guard let job = self.job(jobTable, path: path, defaults: defaults) else { continue }
            let namePath = jobTable["name"] != nil ? path + ".name" : path
            if let first = names[job.name] {
                report(namePath, "duplicate job name '\(job.name)' (first used on line \(line(of: first))); names must be unique, and default to the flow name")
            } else if let earlier = earlierNames[job.name] {
                report(namePath, "duplicate job name '\(job.name)' (first used in \(earlier)); names must be unique across the job file and jobs.d, and default to the flow name")
            } else {
                names[job.name] = path
            }
            result.append(job)
        }
        return result
    }

    /// The role keys one table sets: nil for a key it does not set, "" for a key set empty
    /// (in a job: none, whatever the top of the file says). Bad values are reported, and read as unset.
    struct RoleKeys {
        var arn: String?
        var externalId: String?
        var sessionName: String?

        /// These keys over the inherited ones, each on its own.
        func over(_ base: RoleKeys) -> RoleKeys {
            RoleKeys(arn: arn ?? base.arn, externalId: externalId ?? base.externalId, sessionName: sessionName ?? base.sessionName)
        }

        var role: AssumedRole? {
            guard let arn, !arn.isEmpty else { return nil }
            return AssumedRole(arn: arn, externalId: externalId.flatMap { $0.isEmpty ? nil : $0 }, sessionName: sessionName.flatMap { $0.isEmpty ? nil : $0 })
        }
    }

    mutating func roleKeys(_ table: TOMLTable, prefix: String) -> RoleKeys {
        func checked(_ key: String, _ problem: (String) -> String?) -> String? {
            let path = prefix.isEmpty ? key : prefix + "." + key
            guard let value = string(table, key, path) else { return nil }
            if !value.isEmpty, let problem = problem(value) {
                report(path, problem)
                return nil
            }
            return value
        }
        return RoleKeys(
            arn: checked("role_arn", AssumedRole.arnProblem),
            externalId: checked("external_id", AssumedRole.externalIdProblem),
            sessionName: checked("role_session_name", AssumedRole.sessionNameProblem))
    }

    mutating func catchUpWindow(_ table: TOMLTable, _ path: String) -> Duration? {
        duration(table, "catch_up_window", path, max: JobFileLimits.tokenSafeLife,
                 why: ": a missed slot older than that may have been sent by another replica whose token AppFlow has already forgotten")
    }
}

/// The settings a job inherits from the top level.
struct JobDefaults {
    var timeZone: TimeZone
    /// The file's top level sets `timezone` (else it is the system's).
    var timeZoneIsExplicit: Bool
    var catchUp: CatchUp
    var catchUpWindow: Duration
    var region: String?
    var role: JobFileValidator.RoleKeys
    var retry: RetrySettings
    var tokenSalt: String
}

extension JobFileValidator {
    /// `external_id` / `role_session_name` at the top when no job of the file or of jobs.d
    /// assumes a role: a warning, at the key (after every file is read: a drop-in job may name
    /// the role these keys are for).
    mutating func warnUnusedRoleKeys(_ table: TOMLTable) {
        for key in ["external_id", "role_session_name"] where !(table[key]?.string ?? "").isEmpty {
            report(key, "'\(key)' has no effect: no 'role_arn' is set, at the top of the file or in a job", at: .key, severity: .warning)
        }
    }
}
