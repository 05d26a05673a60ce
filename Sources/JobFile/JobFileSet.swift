import Foundation

/// The files `--config` names (SPEC section 2), in the order they are read.
///
/// - A file: that file, then every `*.toml` in the `jobs.d` directory beside it, in name order.
/// - A directory DIR: `DIR/jobs.toml` when it exists, then every other `DIR/*.toml`, then
///   `DIR/jobs.d/*.toml`, each in name order (`--config /etc/appflowd` reads what the default
///   does, and a Kubernetes ConfigMap mounted as a directory, which cannot hold a subdirectory,
///   can hold several files).
///
/// Names are ordered by their bytes (as `LC_ALL=C ls`). Hidden names (`.x.toml`, and the `..data`
/// links of a ConfigMap volume), names not ending in `.toml` (editor backups like `x.toml~` and
/// `x.toml.swp`, `x.toml.dpkg-old`) and directories are ignored. Only the main file may set
/// top-level keys; the others hold `[[job]]` tables only.
package struct JobFileSet: Sendable, Equatable {
    /// What `--config` named.
    package var config: String
    /// The file whose top level sets the defaults; nil for a directory without `jobs.toml`.
    package var main: String?
    /// Where top-level settings belong, for messages: `main`, or `DIR/jobs.toml`.
    package var mainPath: String
    /// The jobs-only files, in reading order.
    package var fragments: [String]

    package static let dropInDirectory = "jobs.d"
    package static let mainFileName = "jobs.toml"

    /// The files to read, and problems with the directories (an unreadable `jobs.d`, a file that is
    /// not a regular file). Nil when there is nothing to read.
    package static func resolve(config: String) -> (JobFileSet?, [Diagnostic]) {
        func problem(_ path: String, _ message: String) -> Diagnostic {
            Diagnostic(file: path, line: 1, column: 1, severity: .error, message: message)
        }
        var problems: [Diagnostic] = []
        switch kind(of: config) {
        case .missing:
            return (nil, [problem(config, "job file does not exist")])
        case .directory:
            let directory = trimmed(config)
            let main = join(directory, mainFileName)
            let hasMain = kind(of: main) != .missing
            var fragments = list(directory, problems: &problems).filter { $0 != main }
            let dropIns = join(directory, dropInDirectory)
            if kind(of: dropIns) == .directory { fragments += list(dropIns, problems: &problems) }
            if !hasMain, fragments.isEmpty, problems.isEmpty {
                return (nil, [problem(config, "directory holds no job file: put jobs.toml (or any *.toml) in it")])
            }
            return (JobFileSet(config: config, main: hasMain ? main : nil, mainPath: main, fragments: fragments), problems)
        case .regular, .other:
            let dropIns = join(parent(of: config), dropInDirectory)
            var fragments: [String] = []
            switch kind(of: dropIns) {
            case .directory: fragments = list(dropIns, problems: &problems)
            case .missing: break
            case .regular, .other: problems.append(problem(dropIns, "jobs.d beside the job file must be a directory of *.toml files"))
            }
            return (JobFileSet(config: config, main: config, mainPath: config, fragments: fragments), problems)
        }
    }

    enum Kind { case missing, regular, directory, other }

    /// What a path is, following symbolic links (a broken link is missing).
    static func kind(of path: String) -> Kind {
        var info = stat()
        guard stat(path, &info) == 0 else { return errno == ENOENT || errno == ENOTDIR ? .missing : .other }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .regular
        default: return .other
        }
    }

    /// The `*.toml` files of a directory in name order; anything else there is ignored. A name
    /// that is not a regular file (a pipe, a broken link) is a problem, not something to block on.
    static func list(_ directory: String, problems: inout [Diagnostic]) -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            problems.append(Diagnostic(file: directory, line: 1, column: 1, severity: .error,
                                       message: "directory of job files cannot be read (permissions?)"))
            return []
        }
        var files: [String] = []
        for name in names.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        where name.hasSuffix(".toml") && !name.hasPrefix(".") {
            let path = join(directory, name)
            switch kind(of: path) {
            case .regular: files.append(path)
            case .directory: continue
            case .missing: problems.append(Diagnostic(file: path, line: 1, column: 1, severity: .error, message: "job file does not exist (a broken link?)"))
            case .other: problems.append(Diagnostic(file: path, line: 1, column: 1, severity: .error, message: "job file is not a regular file"))
            }
        }
        return files
    }

    static func trimmed(_ directory: String) -> String {
        var d = directory
        while d.count > 1, d.hasSuffix("/") { d.removeLast() }
        return d
    }

    static func join(_ directory: String, _ name: String) -> String {
        directory.isEmpty ? name : directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// The directory part of a path, as written: "" for a bare name, "/" for a file at the root.
    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        let head = String(path[..<slash])
        return head.isEmpty ? "/" : head
    }
}
