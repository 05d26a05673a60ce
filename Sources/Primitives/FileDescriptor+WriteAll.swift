#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The project's one write loop: every byte, after short writes and signals.
package enum FileDescriptor {
    /// Writes all of `buffer` to `fd`, continuing after a short write and retrying a write
    /// interrupted by a signal (EINTR). Returns nil when everything was written, else the errno
    /// of the failed write(2) (the caller knows what the file is and what a failure means).
    package static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Int32? {
        guard var pointer = buffer.baseAddress else { return nil }
        var remaining = buffer.count
        while remaining > 0 {
            let written = write(fd, pointer, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            pointer += written
            remaining -= written
        }
        return nil
    }

    /// `writeAll` over an array of bytes.
    package static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32? {
        bytes.withUnsafeBytes { writeAll(fd, $0) }
    }
}
