import Foundation
import Primitives

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The few POSIX calls the ledger needs, each turning a failed return into a `LedgerError`
/// that names the file and the errno (never ignoring a return code).
enum SystemCalls {
    static func error(_ what: String, _ path: String, code: LedgerError.Code = .io, errno value: Int32 = errno) -> LedgerError {
        LedgerError(code: code, file: path, message: "\(what): \(String(cString: strerror(value)))", errno: value)
    }

    /// Retries a call interrupted by a signal; throws on any other failure.
    @discardableResult
    static func retrying<T: BinaryInteger>(_ what: String, _ path: String, _ call: () -> T) throws -> T {
        while true {
            let result = call()
            if result >= 0 { return result }
            if errno != EINTR { throw error(what, path) }
        }
    }

    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o600) throws -> Int32 {
        try retrying("open", path) { posixOpen(path, flags | O_CLOEXEC, mode) }
    }

    /// Opens one of the ledger's own files: never through a symbolic link (`O_NOFOLLOW`), never
    /// waiting on a FIFO or a device (`O_NONBLOCK`, then `fstat`), and only a regular file. The
    /// state directory is the daemon's; anything else there was put by someone else, and
    /// following it could make the daemon write where that someone chose.
    static func openRegularFile(_ path: String, _ flags: Int32, mode: mode_t = 0o600) throws -> Int32 {
        let fd: Int32
        do {
            fd = try open(path, flags | O_NOFOLLOW | O_NONBLOCK, mode: mode)
        } catch let failure as LedgerError where failure.errno == ELOOP {
            throw LedgerError(code: .unsafe, file: path, message: "is a symbolic link; the ledger's files are never followed through one", errno: ELOOP)
        }
        var info = stat()
        do {
            try retrying("fstat", path) { fstat(fd, &info) }
        } catch {
            close(fd)
            throw error
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw LedgerError(code: .unsafe, file: path, message: "is not a regular file (\(fileType(info.st_mode)))")
        }
        // O_NONBLOCK only kept the open from waiting; reads and writes of a file never wait on it.
        let status = fcntl(fd, F_GETFL)
        if status >= 0 { _ = fcntl(fd, F_SETFL, status & ~O_NONBLOCK) }
        return fd
    }

    static func fileType(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: "a directory"
        case S_IFIFO: "a FIFO"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        case S_IFLNK: "a symbolic link"
        default: "not a file"
        }
    }

    /// The state directory holds what the daemon trusts across restarts: another user who can
    /// write in it could plant or swap its files. So it must be a directory owned by the
    /// daemon's user, and not writable by group or others.
    static func checkDirectoryIsPrivate(_ path: String) throws {
        var info = stat()
        try retrying("stat", path) { stat(path, &info) }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw LedgerError(code: .unsafe, file: path, message: "is not a directory (\(fileType(info.st_mode)))")
        }
        let user = geteuid()
        let mode = info.st_mode & 0o7777
        if info.st_uid != user || mode & 0o022 != 0 {
            throw LedgerError(
                code: .unsafe, file: path,
                message: "the state directory must be owned by this daemon's user (uid \(user)) and not writable by group or others; "
                    + "it is owned by uid \(info.st_uid) with mode \(String(mode, radix: 8)) (fix: chown \(user) and chmod 0700 it)")
        }
    }

    static func close(_ fd: Int32) {
        // After close(2) fails the descriptor is released anyway (Linux); nothing to retry.
        _ = posixClose(fd)
    }

    /// Writes every byte, continuing after short writes.
    static func writeAll(_ fd: Int32, _ data: Data, _ path: String) throws {
        let failure = data.withUnsafeBytes { FileDescriptor.writeAll(fd, $0) }
        if let failure { throw error("write", path, errno: failure) }
    }

    /// The whole file from offset 0, read until end of file (it may grow while we read);
    /// nil when it does not exist.
    static func readFile(_ path: String) throws -> Data? {
        let fd: Int32
        do {
            fd = try openRegularFile(path, O_RDONLY)
        } catch let failure as LedgerError where failure.errno == ENOENT {
            return nil
        }
        defer { close(fd) }
        return try readAll(fd, path)
    }

    static func readAll(_ fd: Int32, _ path: String) throws -> Data {
        var data = Data()
        let chunk = 1 << 20
        var buffer = [UInt8](repeating: 0, count: chunk)
        var offset: off_t = 0
        while true {
            let count = try buffer.withUnsafeMutableBytes { raw in
                try retrying("read", path) { pread(fd, raw.baseAddress, chunk, offset) }
            }
            if count == 0 { return data }
            data.append(contentsOf: buffer[0..<count])
            offset += off_t(count)
        }
    }

    /// fdatasync: the file's data and size are durable when it returns.
    static func dataSync(_ fd: Int32, _ path: String) throws {
        #if os(Linux)
        try retrying("fdatasync", path) { fdatasync(fd) }
        #else
        try retrying("fsync", path) { fsync(fd) }
        #endif
    }

    static func sync(_ fd: Int32, _ path: String) throws {
        try retrying("fsync", path) { fsync(fd) }
    }

    static func truncate(_ fd: Int32, to length: Int, _ path: String) throws {
        try retrying("ftruncate", path) { ftruncate(fd, off_t(length)) }
    }

    /// Makes a rename or a new file in `directory` durable.
    static func syncDirectory(_ directory: String) throws {
        let fd = try open(directory, O_RDONLY | O_DIRECTORY)
        defer { close(fd) }
        try sync(fd, directory)
    }

    static func rename(_ from: String, to: String) throws {
        try retrying("rename to \(to)", from) { posixRename(from, to) }
    }

    /// Removes a file; a missing one is fine.
    static func removeIfPresent(_ path: String) throws {
        if unlink(path) != 0, errno != ENOENT { throw error("unlink", path) }
    }

    /// Whether another open file description holds a flock on `fd`'s file: a shared,
    /// non-blocking flock taken and released at once. Nil when flock fails otherwise.
    static func probeLock(_ fd: Int32) -> Bool? {
        while true {
            if flock(fd, LOCK_SH | LOCK_NB) == 0 {
                _ = flock(fd, LOCK_UN)
                return false
            }
            switch errno {
            case EINTR: continue
            case EWOULDBLOCK: return true
            default: return nil
            }
        }
    }

    /// Takes an exclusive, non-blocking flock: it is released when the descriptor is closed,
    /// including when the process dies.
    ///
    /// A lock that is busy is tried again for a second before `locked` is reported: a process
    /// that forks (a test runner, a supervisor script) briefly holds a copy of every descriptor
    /// until its child execs, which keeps a just-released lock held for that moment.
    static func lockExclusively(_ fd: Int32, _ path: String, directory: String) throws {
        var busy = 0
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let value = errno
            if value == EINTR { continue }
            if value == EWOULDBLOCK, busy < 20 {
                busy += 1
                usleep(50_000)
                continue
            }
            if value == EWOULDBLOCK {
                throw LedgerError(
                    code: .locked, file: directory,
                    message: "the state directory is in use by another appflowd (lock held on \(path))", errno: value)
            }
            throw error("flock", path, errno: value)
        }
    }

    /// Creates the directory and missing parents with mode 0700; leaves existing ones as they are.
    static func makeDirectory(_ path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { return }
            throw LedgerError(code: .io, file: path, message: "exists and is not a directory")
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != path { try makeDirectory(parent) }
        if mkdir(path, 0o700) != 0 {
            if errno == EEXIST { return }
            throw error("mkdir", path)
        }
        // mkdir's mode is filtered by the umask; state holds tokens, so say 0700 exactly.
        try retrying("chmod", path) { chmod(path, 0o700) }
    }

    static func fileExists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }
}

// File-scope names for the C calls that `SystemCalls` shadows with its own members.
private func posixOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 { open(path, flags, mode) }
private func posixClose(_ fd: Int32) -> Int32 { close(fd) }
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { write(fd, buffer, count) }
private func posixRename(_ from: String, _ to: String) -> Int32 { rename(from, to) }
