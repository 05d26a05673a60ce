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
        do {
            let answer = try await RawConnection.exchange(
                "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", port: port, within: limit)
            return (answer.status, answer.body)
        } catch {
            throw Failed(what: "\(error)")
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
