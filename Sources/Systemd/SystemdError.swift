#if canImport(Glibc)
import Glibc
#endif

/// A libsystemd call that failed, carrying the positive `errno` value it reported.
///
/// libsystemd functions return `-errno` on failure; the wrappers in this module never ignore
/// such a return and turn it into this error instead.
package struct SystemdError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The positive error number, e.g. `ENOENT` (2) when `NOTIFY_SOCKET` names a missing path.
    package var errno: Int32
    /// The libsystemd function that failed, e.g. `"sd_notify"`.
    package var function: String

    package init(errno: Int32, function: String) {
        self.errno = errno
        self.function = function
    }

    /// Builds the error from a libsystemd return value `r < 0` (that is, `-errno`).
    init(returnValue: Int32, function: String) {
        // Int32.min cannot be negated; no errno is that large, but do not trap on it.
        self.init(errno: returnValue == .min ? .max : -returnValue, function: function)
    }

    package var description: String {
        "\(function) failed: \(Self.errorName(errno)) (errno \(errno))"
    }

    /// glibc's `strerror` returns a pointer into its constant message table for known codes.
    private static func errorName(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "unknown error" }
        return String(cString: text)
    }
}
