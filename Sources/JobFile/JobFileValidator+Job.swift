import Foundation
import Scheduling
import TOMLKit

extension JobFileValidator {
    static let jobKeys = [
        "name", "flow", "at", "cron", "calendar", "every", "offset", "jitter", "wait", "overlap", "enabled",
        "region", "role_arn", "external_id", "role_session_name", "timezone", "catch_up", "catch_up_window", "token_salt", "retry",
    ] + boundKeys
    static let scheduleKeys = ["at", "cron", "calendar", "every"]

    /// AppFlow's flow-name pattern `[a-zA-Z0-9][\w!@#.-]+`, at most 256 characters.
    static func isValidFlowName(_ name: String) -> Bool {
        let u = Array(name.utf8)
        guard u.count >= 2, u.count <= 256 else { return false }
        func alnum(_ c: UInt8) -> Bool { (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) }
        return alnum(u[0]) && u.dropFirst().allSatisfy { alnum($0) || "_!@#.-".utf8.contains($0) }
    }

    /// One `[[job]]`, or nil when it has an error (already reported).
    mutating func job(_ table: TOMLTable, path: String, defaults: JobDefaults) -> Job? {
        let errorsBefore = errorCount
        for key in table.keys where !Self.jobKeys.contains(key) {
            if Self.globalOnlyKeys.contains(key) {
                report(path + "." + key, "'\(key)' applies to all jobs together: set it at the top of the file, before the first [[job]]", at: .key)
            } else {
                report(path + "." + key, KeySuggestion.message(for: key, known: Self.jobKeys, context: " in [[job]]"), at: .key)
            }
        }
        let flow = string(table, "flow", path + ".flow")
        if table["flow"] == nil {
            report(path, "job has no 'flow': set the AppFlow flow name to start", at: .key)
        } else if let flow, !Self.isValidFlowName(flow) {
            report(path + ".flow", "invalid flow name '\(flow)': AppFlow names match [a-zA-Z0-9][\\w!@#.-]+ and have at most 256 characters")
        }
        var name = flow ?? ""
        if table["name"] != nil, let n = string(table, "name", path + ".name") {
            if n.isEmpty || n.count > 256 || n.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                report(path + ".name", "job name must be 1 to 256 characters without control characters")
            }
            name = n
        }
        let ownZone = timeZone(table, path + ".timezone")
        let zone = ownZone ?? defaults.timeZone
        let region = region(table, path + ".region") ?? defaults.region
        let ownRole = roleKeys(table, prefix: path)
        let role = ownRole.over(defaults.role).role
        if role == nil {
            for key in ["external_id", "role_session_name"] where !(table[key]?.string ?? "").isEmpty {
                let why = ownRole.arn == "" ? "'role_arn' is set empty here (no role)" : "this job has no 'role_arn'"
                report(path + "." + key, "'\(key)' needs a role, but \(why)", at: .key)
            }
        }
        let catchUp = enumValue(table, "catch_up", path + ".catch_up", CatchUp.self) ?? defaults.catchUp
        let window = catchUpWindow(table, path + ".catch_up_window") ?? defaults.catchUpWindow
        let salt = string(table, "token_salt", path + ".token_salt") ?? defaults.tokenSalt
        let retry = retry(table["retry"], path: path + ".retry", base: defaults.retry)
        let jitter = duration(table, "jitter", path + ".jitter") ?? .zero
        let wait = bool(table, "wait", path + ".wait") ?? false
        let overlap = enumValue(table, "overlap", path + ".overlap", Overlap.self) ?? .skip
        let enabled = bool(table, "enabled", path + ".enabled") ?? true
        if table["overlap"] != nil, !wait {
            report(path + ".overlap", "'overlap' has no effect without 'wait = true'", at: .key, severity: .warning)
        }
        let schedule = schedule(table, path: path, zone: zone, zoneSource: ownZone != nil ? .job : defaults.timeZoneIsExplicit ? .file : .system)
        let bounds = bounds(table, path: path, schedule: schedule?.schedule)
        let errorsAfter = errorCount
        guard errorsAfter == errorsBefore, let schedule, flow != nil else { return nil }
        var job = Job(
            name: name, flow: flow ?? "", schedule: schedule.schedule, scheduleDescription: schedule.description,
            jitter: jitter, wait: wait, overlap: overlap, enabled: enabled, timeZone: zone, catchUp: catchUp,
            catchUpWindow: window, region: region, role: role, retry: retry, tokenSalt: salt, line: line(of: path), bounds: bounds)
        job.file = fileName
        return job
    }

    /// Where a job's zone comes from, for the warning about `every`, which ignores it.
    enum ZoneSource { case system, file, job }

    mutating func schedule(_ table: TOMLTable, path: String, zone: TimeZone, zoneSource: ZoneSource = .system) -> (schedule: any Schedule, description: String)? {
        let present = Self.scheduleKeys.filter { table[$0] != nil }.sorted { offset(of: path + "." + $0) < offset(of: path + "." + $1) }
        if table["offset"] != nil, !present.contains("every") {
            report(path + ".offset", "'offset' only applies to 'every'", at: .key)
        }
        guard let kind = present.first else {
            report(path, "job has no schedule: set exactly one of 'at', 'cron', 'calendar', 'every'", at: .key)
            return nil
        }
        for extra in present.dropFirst() {
            report(path + "." + extra, "job has two schedules ('\(kind)' and '\(extra)'): keep exactly one", at: .key)
        }
        guard present.count == 1 else { return nil }
        let keyPath = path + "." + kind
        switch kind {
        case "cron", "calendar":
            guard let text = string(table, kind, keyPath) else { return nil }
            do {
                let schedule: any Schedule
                let normalized: String
                if kind == "cron" {
                    let s = try CronSchedule(parsing: text, timeZone: zone)
                    (schedule, normalized) = (s, s.normalized)
                } else {
                    let s = try CalendarSchedule(parsing: text, timeZone: zone)
                    (schedule, normalized) = (s, s.normalized)
                    if let skipped = s.daySkippedAtNextChange(after: now) {
                        report(keyPath, Self.skippedDayWarning(kind: kind, text: text, skipped), severity: .warning)
                    }
                }
                let cacheKey = "\(kind)\u{0}\(zone.identifier)\u{0}\(text)"
                let fires = firesCache[cacheKey] ?? (schedule.nextSlot(after: now) != nil)
                firesCache[cacheKey] = fires
                if !fires {
                    report(keyPath, "\(kind) '\(text)' never fires")
                    return nil
                }
                return (schedule, "\(kind) \(normalized)")
            } catch {
                let message = error.zoneName.flatMap(ZoneNameAdvice.problem(with:)) ?? error.message
                report(keyPath, "bad \(kind) expression: \(message)", extra: 1 + error.offset)
                return nil
            }
        case "every":
            guard let interval = duration(table, "every", keyPath) else { return nil }
            let date = Date(timeIntervalSince1970: Double(now))
            let likeUTC = zone.secondsFromGMT(for: date) == 0 && zone.nextDaylightSavingTimeTransition(after: date) == nil
            if zoneSource == .job, !likeUTC {
                report(path + ".timezone", "'timezone' has no effect on 'every': its slots are counted from the Unix epoch (UTC); use 'calendar' or 'cron' for times of day in a zone", at: .key, severity: .warning)
            } else if interval >= .seconds(86_400), zoneSource == .file, !likeUTC {
                let message = "'every' ignores 'timezone' (\(zone.identifier)): \"\(DurationFormatter.format(interval))\" slots fall at UTC times "
                    + "of day, not local ones; use 'calendar' or 'cron' for a local time of day"
                report(keyPath, message, at: .key, severity: .warning)
            }
            let offset = duration(table, "offset", path + ".offset") ?? .zero
            do {
                let s = try EverySchedule(interval: interval, offset: offset)
                var description = "every \(DurationFormatter.format(interval))"
                if offset != .zero { description += " offset \(DurationFormatter.format(offset))" }
                return (s, description)
            } catch {
                report(error.message.hasPrefix("offset") ? path + ".offset" : keyPath, "\(error.message)")
                return nil
            }
        default:
            return atSchedule(table, path: keyPath, zone: zone)
        }
    }

    /// `calendar '*-*-* 02:30' skips 2027-03-28: ...`.
    static func skippedDayWarning(kind: String, text: String, _ skipped: CalendarSchedule.SkippedDay) -> String {
        let day = TimeText.dateTime(localSeconds: skipped.localTime, separator: " ")
        let time = { (local: Int64) in String(TimeText.dateTime(localSeconds: local, separator: " ").dropFirst(11).prefix(5)) }
        return "\(kind) '\(text)' skips \(day.prefix(10)): \(time(skipped.localTime)) does not exist in \(skipped.zone.identifier) that day "
            + "(clocks go from \(time(skipped.gapStart)) to \(time(skipped.gapEnd))), and a calendar time that does not exist does not fire, as in systemd; "
            + "pick a time outside the gap, or use 'cron', which fires right after it"
    }

    mutating func atSchedule(_ table: TOMLTable, path: String, zone: TimeZone) -> (schedule: any Schedule, description: String)? {
        guard let value = table["at"] else { return nil }
        var items: [(text: String, path: String)] = []
        if let s = value.string {
            items = [(s, path)]
        } else if let array = value.array {
            var i = 0
            for element in array {
                let elementPath = "\(path)[\(i)]"
                i += 1
                guard let s = element.string else {
                    report(elementPath, "'at' times must be strings like \"2026-12-01T09:00:00Z\" (quoted), not \(Self.typeName(element))")
                    continue
                }
                items.append((s, elementPath))
            }
            if i == 0 {
                report(path, "'at' is empty: list at least one start time")
                return nil
            }
        } else {
            report(path, "'at' must be a list of date-time strings, not \(Self.typeName(value))")
            return nil
        }
        var instants: [Int64] = []
        var ok = true
        for item in items {
            do {
                instants.append(try AtSchedule.parseTime(item.text, timeZone: zone))
            } catch {
                report(item.path, "bad 'at' time: \(error.message)", extra: 1 + error.offset)
                ok = false
            }
        }
        guard ok, !instants.isEmpty else { return nil }
        if instants.allSatisfy({ $0 <= now }) {
            report(path, "all 'at' times are in the past: this job will not start again", severity: .warning)
        }
        return (AtSchedule(instants: instants), "at " + items.map(\.text).joined(separator: ", "))
    }
}
