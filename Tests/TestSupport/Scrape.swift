import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Scraping a real daemon's `/metrics` over loopback with a plain non-blocking socket: the
/// test sleeps between reads, so a wedged daemon fails the scrape instead of blocking a thread.
package enum Scrape {
    package struct Failed: Error, CustomStringConvertible {
        package var what: String
        package var description: String { "scrape failed: \(what)" }
    }

    /// A TCP port that was free a moment ago (the kernel's pick for port 0).
    package static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failed(what: "socket") }
        defer { close(fd) }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                guard bind(fd, pointer, length) == 0 else { return -1 }
                return getsockname(fd, pointer, &length)
            }
        }
        guard bound == 0 else { throw Failed(what: "bind") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// `GET path` from 127.0.0.1: the status code and the body, within `limit`.
    package static func get(port: Int, path: String = "/metrics", within limit: Duration = .seconds(10)) async throws -> (status: Int, body: String) {
        let deadline = ContinuousClock.now + limit
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failed(what: "socket") }
        defer { close(fd) }
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if connected != 0 {
            guard errno == EINPROGRESS else { throw Failed(what: "connect to \(port): errno \(errno)") }
            try await wait(for: Int16(POLLOUT), on: fd, until: deadline)
            var error: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size)
            guard error == 0 else { throw Failed(what: "connect to \(port): errno \(error)") }
        }
        var request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)[...]
        while !request.isEmpty {
            let sent = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent > 0 {
                request = request.dropFirst(sent)
            } else if sent < 0 && (errno == EAGAIN || errno == EINTR) {
                try await wait(for: Int16(POLLOUT), on: fd, until: deadline)
            } else {
                throw Failed(what: "send: errno \(errno)")
            }
        }
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                data += buffer[..<count]
            } else if count == 0 {
                break
            } else if errno == EAGAIN || errno == EINTR {
                try await wait(for: Int16(POLLIN), on: fd, until: deadline)
            } else {
                throw Failed(what: "recv: errno \(errno)")
            }
        }
        let text = String(decoding: data, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n"),
              let status = text.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else {
            throw Failed(what: "no HTTP response")
        }
        return (status, String(text[split.upperBound...]))
    }

    /// Sleeps until `fd` is ready for `events`, checking without blocking.
    private static func wait(for events: Int16, on fd: Int32, until deadline: ContinuousClock.Instant) async throws {
        while true {
            var entry = pollfd(fd: fd, events: events, revents: 0)
            if poll(&entry, 1, 0) > 0 { return }
            guard ContinuousClock.now < deadline else { throw Failed(what: "no answer in time") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
