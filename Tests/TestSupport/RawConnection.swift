import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A TCP connection to 127.0.0.1 on a plain non-blocking socket, for tests that talk HTTP to a
/// server without using the code they check, or that hold connections open, trickle bytes or
/// never read. Every wait sleeps between polls: no thread of the cooperative pool blocks.
package final class RawConnection: @unchecked Sendable {
    package struct Failed: Error, CustomStringConvertible {
        package var what: String
        package var description: String { "raw connection: \(what)" }
    }

    private var fd: Int32

    /// Connects within `limit`.
    package init(port: Int, within limit: Duration = .seconds(10)) async throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failed(what: "socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if connected != 0 {
            guard errno == EINPROGRESS else { throw failure("connect to \(port): errno \(errno)") }
            try await wait(for: Int16(POLLOUT), until: .now + limit)
            var error: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size)
            guard error == 0 else { throw failure("connect to \(port): errno \(error)") }
        }
    }

    deinit {
        close()
    }

    package func close() {
        if fd >= 0 { _ = Glibc.close(fd) }
        fd = -1
    }

    /// Sends every byte within `limit`.
    package func send(_ text: String, within limit: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + limit
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent > 0 {
                bytes = bytes.dropFirst(sent)
            } else if sent < 0 && (errno == EAGAIN || errno == EINTR) {
                try await wait(for: Int16(POLLOUT), until: deadline)
            } else {
                throw Failed(what: "send: errno \(errno)")
            }
        }
    }

    /// Sends what the socket takes now, without waiting; returns how many bytes it took.
    package func sendWhatFits(_ bytes: [UInt8]) -> Int {
        let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        return max(0, sent)
    }

    /// Everything until the peer closes (or resets) the connection, within `limit`.
    package func receiveUntilClosed(within limit: Duration = .seconds(10)) async throws -> String {
        let deadline = ContinuousClock.now + limit
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                data += buffer[..<count]
            } else if count == 0 || (count < 0 && errno == ECONNRESET) {
                return String(decoding: data, as: UTF8.self)
            } else if errno == EAGAIN || errno == EINTR {
                try await wait(for: Int16(POLLIN), until: deadline)
            } else {
                throw Failed(what: "recv: errno \(errno)")
            }
        }
    }

    /// What has arrived until `text` is in it, within `limit`; the rest stays unread.
    package func receive(until text: String, within limit: Duration = .seconds(10)) async throws -> String {
        let deadline = ContinuousClock.now + limit
        var data: [UInt8] = []
        var byte: UInt8 = 0
        while !String(decoding: data, as: UTF8.self).hasSuffix(text) {
            let count = recv(fd, &byte, 1, 0)
            if count == 1 {
                data.append(byte)
            } else if count < 0 && (errno == EAGAIN || errno == EINTR) {
                try await wait(for: Int16(POLLIN), until: deadline)
            } else {
                throw Failed(what: "closed after \(data.count) bytes: \(String(decoding: data, as: UTF8.self))")
            }
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Whether the peer closed the connection within `limit` (any bytes it sent first are read
    /// and dropped).
    package func isClosedByPeer(within limit: Duration) async -> Bool {
        (try? await receiveUntilClosed(within: limit)) != nil
    }

    private func failure(_ what: String) -> Failed {
        close()
        return Failed(what: what)
    }

    /// Sleeps until the socket is ready for `events`, checking without blocking.
    private func wait(for events: Int16, until deadline: ContinuousClock.Instant) async throws {
        while true {
            var entry = pollfd(fd: fd, events: events, revents: 0)
            if poll(&entry, 1, 0) > 0 { return }
            guard ContinuousClock.now < deadline else { throw Failed(what: "nothing in time") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}

/// An HTTP/1 response as text came: status, headers (names lower-cased) and body.
package struct RawHTTPResponse: Sendable {
    package var status: Int
    package var headers: [String: String]
    package var body: String

    package init(parsing text: String) throws {
        guard let split = text.range(of: "\r\n\r\n") else { throw RawConnection.Failed(what: "no response head in \(text.utf8.count) bytes") }
        let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        guard let status = lines.first?.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else {
            throw RawConnection.Failed(what: "no status line")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        self.status = status
        self.headers = headers
        self.body = String(text[split.upperBound...])
    }
}

extension RawConnection {
    /// Sends `request` on a new connection and reads the answer until the server closes it.
    package static func exchange(_ request: String, port: Int, within limit: Duration = .seconds(10)) async throws -> RawHTTPResponse {
        let connection = try await RawConnection(port: port, within: limit)
        defer { connection.close() }
        try await connection.send(request, within: limit)
        return try RawHTTPResponse(parsing: try await connection.receiveUntilClosed(within: limit))
    }
}
