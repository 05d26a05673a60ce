#if canImport(Glibc)
import Glibc
#endif

/// An `AF_UNIX`/`SOCK_DGRAM` socket bound the way systemd binds its notification socket, so
/// tests can read exactly the datagrams `sd_notify` sends.
struct NotifySocket {
    struct Failure: Error, CustomStringConvertible {
        var call: String
        var errno: Int32
        var description: String { "\(call) failed with errno \(errno)" }
    }

    /// What `NOTIFY_SOCKET` must say: a path, or `@name` for the abstract namespace.
    let address: String
    private let descriptor: Int32

    /// Binds to `address` (`/path` or `@abstract`), runs `body`, then closes and unlinks.
    static func with<T>(address: String, _ body: (NotifySocket) throws -> T) throws -> T {
        let socket = try NotifySocket(address: address)
        defer { socket.close() }
        return try body(socket)
    }

    private init(address: String) throws {
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(call: "socket", errno: errno) }
        var socketAddress = sockaddr_un()
        socketAddress.sun_family = sa_family_t(AF_UNIX)
        var pathBytes = Array(address.utf8)
        if pathBytes.first == UInt8(ascii: "@") {
            pathBytes[0] = 0
        }
        let capacity = MemoryLayout.size(ofValue: socketAddress.sun_path)
        guard pathBytes.count < capacity else {
            Glibc.close(descriptor)
            throw Failure(call: "sockaddr_un", errno: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &socketAddress.sun_path) { path in
            path.copyBytes(from: pathBytes)
        }
        // Abstract names are exactly as long as given; paths include their terminating NUL.
        let length = MemoryLayout<sa_family_t>.size + pathBytes.count + (pathBytes.first == 0 ? 0 : 1)
        let result = withUnsafePointer(to: &socketAddress) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(length)) }
        }
        guard result == 0 else {
            let code = errno
            Glibc.close(descriptor)
            throw Failure(call: "bind", errno: code)
        }
        self.address = address
        self.descriptor = descriptor
    }

    /// The next queued datagram, or nil when none is queued. `sd_notify` has sent its datagram
    /// by the time it returns, so there is nothing to wait for.
    func receive() throws -> String? {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        if count < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK { return nil }
            throw Failure(call: "recv", errno: errno)
        }
        return String(decoding: buffer[..<count], as: UTF8.self)
    }

    private func close() {
        Glibc.close(descriptor)
        if !address.hasPrefix("@") {
            unlink(address)
        }
    }

    /// A fresh path under the temporary directory, short enough for `sun_path`.
    static func temporaryPath() -> String {
        "/tmp/appflowd-notify-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
    }
}
