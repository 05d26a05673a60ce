import Primitives

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The metrics file for node_exporter's textfile collector, replaced atomically: the text is
/// written to a new file with a random name in the same directory (`.NAME.RANDOM.tmp`, which
/// the collector, reading `*.prom`, ignores), fsynced, and renamed over `PATH`, then the
/// directory is fsynced. A reader sees the old file or the new one, never a partial one, and a
/// crash leaves one of the two (and at worst a stray temporary file).
///
/// The temporary file is created exclusively (`O_CREAT|O_EXCL|O_NOFOLLOW`): a link or a FIFO
/// someone placed in the directory is never followed or opened. Its mode is set to 0644 with
/// `fchmod`, whatever the umask (systemd's `UMask=0077` would make it 0600, which
/// node_exporter, another user, cannot read).
package struct MetricsTextfile: Sendable {
    package struct WriteError: Error, Sendable, CustomStringConvertible {
        /// The step that failed: `open`, `fchmod`, `write`, `fsync`, `rename`.
        package var code: String
        package var path: String
        package var errno: Int32

        package var description: String {
            "cannot write the metrics file \(path): \(code) failed: \(String(cString: strerror(errno)))"
        }
    }

    package let path: String

    package init(path: String) {
        self.path = path
    }

    var directory: String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let directory = String(path[..<slash])
        return directory.isEmpty ? "/" : directory
    }

    /// `.NAME.0123456789abcdef.tmp` in the file's directory: never `*.prom`.
    func temporaryPath(random: UInt64) -> String {
        let name = path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
        let hex = String(random, radix: 16)
        return (directory == "/" ? "" : directory) + "/." + name + "." + String(repeating: "0", count: 16 - hex.count) + hex + ".tmp"
    }

    package func write(_ text: String) throws(WriteError) {
        let (fd, tmp) = try createTemporary()
        var bytes = Array(text.utf8)
        if bytes.last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
        do throws(WriteError) {
            // node_exporter runs as another user and only needs to read the file.
            guard fchmod(fd, 0o644) == 0 else { throw WriteError(code: "fchmod", path: tmp, errno: errno) }
            try writeAll(fd, bytes, tmp)
            guard fsync(fd) == 0 else { throw WriteError(code: "fsync", path: tmp, errno: errno) }
        } catch {
            close(fd)
            unlink(tmp)
            throw error
        }
        close(fd)
        guard rename(tmp, path) == 0 else {
            let code = errno
            unlink(tmp)
            throw WriteError(code: "rename", path: path, errno: code)
        }
        syncDirectory()
    }

    /// A new file that nobody else could have prepared: a name nobody can guess, created only
    /// if it does not exist, and never through a link.
    private func createTemporary() throws(WriteError) -> (Int32, String) {
        var attempts = 0
        while true {
            let tmp = temporaryPath(random: UInt64.random(in: 0 ... .max))
            let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if fd >= 0 { return (fd, tmp) }
            let code = errno
            attempts += 1
            if code == EINTR || (code == EEXIST && attempts < 8) { continue }
            throw WriteError(code: "open", path: tmp, errno: code)
        }
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8], _ name: String) throws(WriteError) {
        if let failure = FileDescriptor.writeAll(fd, bytes) { throw WriteError(code: "write", path: name, errno: failure) }
    }

    /// Makes the rename durable. Best effort: the file itself is already complete either way.
    private func syncDirectory() {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }
}
