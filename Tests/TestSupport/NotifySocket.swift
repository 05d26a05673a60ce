import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// An `AF_UNIX`/`SOCK_DGRAM` socket bound the way systemd binds its notification socket, so
/// tests read exactly the datagrams `sd_notify` sends. Reads never block: `receive()` answers
/// at once, and `collect` sleeps between reads.
package final class NotifySocket: Sendable {
    package struct Failure: Error, CustomStringConvertible {
        package var call: String
        package var errno: Int32
        package var description: String { "\(call) failed with errno \(errno)" }
    }

    /// What `NOTIFY_SOCKET` must say: a path, or `@name` for the abstract namespace.
    package let address: String
    private let state: Mutex<(descriptor: Int32?, messages: [String])>

    /// Binds to `address` (`/path` or `@abstract`), runs `body`, then closes and unlinks.
    package static func with<T>(address: String = temporaryPath(), _ body: (NotifySocket) throws -> T) throws -> T {
        let socket = try NotifySocket(address: address)
        defer { socket.close() }
        return try body(socket)
    }

    /// Binds to `address`; the caller closes it.
    package init(address: String = temporaryPath()) throws {
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
        state = Mutex((descriptor, []))
    }

    /// Every datagram received so far, oldest first.
    package var messages: [String] { state.withLock { $0.messages } }

    /// The next queued datagram, or nil when none is queued. `sd_notify` has sent its datagram
    /// by the time it returns, so in-process tests have nothing to wait for.
    package func receive() throws -> String? {
        try state.withLock { state in
            guard let descriptor = state.descriptor else { throw Failure(call: "recv", errno: EBADF) }
            var buffer = [UInt8](repeating: 0, count: 65_536)
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK { return nil }
                throw Failure(call: "recv", errno: errno)
            }
            let message = String(decoding: buffer[..<count], as: UTF8.self)
            state.messages.append(message)
            return message
        }
    }

    /// Receives what another process sends until `until` holds for every message so far, or
    /// `limit` passes; returns every message so far. A bound on a wait, not a timing assertion.
    @discardableResult
    package func collect(for limit: Duration, until: ([String]) -> Bool = { _ in false }) async throws -> [String] {
        let deadline = ContinuousClock.now + limit
        while true {
            while try receive() != nil {}
            let all = messages
            if until(all) || ContinuousClock.now >= deadline { return all }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Closes the socket and removes its path; closing twice does nothing.
    package func close() {
        guard let descriptor = state.withLock({ state -> Int32? in
            defer { state.descriptor = nil }
            return state.descriptor
        }) else { return }
        Glibc.close(descriptor)
        if !address.hasPrefix("@") {
            unlink(address)
        }
    }

    /// A fresh path under `/tmp`, short enough for `sun_path`.
    package static func temporaryPath() -> String {
        "/tmp/appflowd-notify-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
    }
}
