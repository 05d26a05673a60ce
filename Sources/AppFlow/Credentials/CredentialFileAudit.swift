import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks the files credentials are read from: one that another user can write (group- or
/// world-writable), or that another user owns, lets that user choose the identity appflowd
/// calls AWS with. Such a file is still used, as the AWS SDKs use it, but with one warning
/// naming it, at start.
///
/// Root may own the files: root controls the daemon anyway (systemd copies credentials as
/// root). Only regular files are checked: `/dev/null` is the usual way to say "no file".
package enum CredentialFileAudit {
    package struct Warning: Sendable, Equatable, CustomStringConvertible {
        package var path: String
        package var problem: String
        package var description: String { "\(path): \(problem)" }
    }

    /// The files the default chain reads under `environment`: the systemd credential, the web
    /// identity token file, the shared credentials and config files, and a web identity token
    /// file that the selected profile names.
    package static func files(environment: [String: String], profile: String? = nil) -> [String] {
        var files: [String] = []
        if let directory = environment["CREDENTIALS_DIRECTORY"].flatMap(nonEmpty) {
            files.append(directory.hasSuffix("/") ? directory + "aws" : directory + "/aws")
        }
        if let token = environment["AWS_WEB_IDENTITY_TOKEN_FILE"].flatMap(nonEmpty) { files.append(token) }
        let shared = SharedConfiguration.paths(environment: environment)
        files += [shared.credentials, shared.config]
        // A file that cannot be parsed is reported by the chain; its permissions still are here.
        if let parsed = try? SharedConfiguration(environment: environment, profile: profile),
            let token = parsed.configProfile?["web_identity_token_file"].flatMap(nonEmpty)
        {
            files.append(token)
        }
        var seen: Set<String> = []
        return files.filter { seen.insert($0).inserted }
    }

    /// One warning per file of `files(environment:profile:)` that another user could have written.
    package static func warnings(environment: [String: String], profile: String? = nil) -> [Warning] {
        files(environment: environment, profile: profile).compactMap { check($0) }
    }

    /// Logs each warning once (at start: `run` and `start` call this before any credential is read).
    package static func logWarnings(environment: [String: String], profile: String? = nil, logger: Logger) {
        for warning in warnings(environment: environment, profile: profile) {
            logger.warning("credential file is not private", metadata: [
                "event": "credential-file", "file": "\(warning.path)", "problem": "\(warning.problem)",
            ])
        }
    }

    /// Nil for a file that is fine, missing, or not a regular file.
    package static func check(_ path: String, user: uid_t = geteuid()) -> Warning? {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        let mode = info.st_mode & 0o7777
        var problems: [String] = []
        let writers = [mode & 0o020 != 0 ? "group" : nil, mode & 0o002 != 0 ? "others" : nil].compactMap { $0 }
        if !writers.isEmpty {
            problems.append("writable by \(writers.joined(separator: " and ")) (mode \(String(mode, radix: 8)))")
        }
        if info.st_uid != user && info.st_uid != 0 {
            problems.append("owned by uid \(info.st_uid), not by this process's user (uid \(user)) or root")
        }
        guard !problems.isEmpty else { return nil }
        return Warning(path: path, problem: problems.joined(separator: "; ") + ": another user could change the credentials appflowd uses")
    }
}
