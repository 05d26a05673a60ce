#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The metrics file for node_exporter's textfile collector, replaced atomically: the text is
/// written to `PATH.tmp` in the same directory (a name the collector, which reads `*.prom`,
/// ignores), fsynced, and renamed over `PATH`, then the directory is fsynced. A reader sees the
/// old file or the new one, never a partial one, and a crash leaves one of the two.
package struct MetricsTextfile: Sendable {
    package struct WriteError: Error, Sendable, CustomStringConvertible {
        /// The step that failed: `open`, `write`, `fsync`, `rename`.
        package var code: String
        package var path: String
        package var errno: Int32

        package var description: String {
            "cannot write the metrics file \(path): \(code) failed: \(String(cString: strerror(errno)))"
        }
    }

    package let path: String
    var temporaryPath: String { path + ".tmp" }

    package init(path: String) {
        self.path = path
    }

    package func write(_ text: String) throws(WriteError) {
        let tmp = temporaryPath
        // 0644: node_exporter runs as another user and only needs to read the file.
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw WriteError(code: "open", path: tmp, errno: errno) }
        var bytes = Array(text.utf8)
        if bytes.last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
        do throws(WriteError) {
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

    private func writeAll(_ fd: Int32, _ bytes: [UInt8], _ name: String) throws(WriteError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                posixWrite(fd, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw WriteError(code: "write", path: name, errno: errno)
            }
            offset += written
        }
    }

    /// Makes the rename durable. Best effort: the file itself is already complete either way.
    private func syncDirectory() {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let fd = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }
}

/// `write(2)`; at file scope, where the name is not shadowed by `MetricsTextfile.write`.
private func posixWrite(_ fd: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, pointer, count)
}
