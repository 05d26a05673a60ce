#if canImport(Glibc)
import Glibc
#endif

/// Sets process environment variables for the duration of `body` and restores them after.
///
/// `sd_notify` and `sd_watchdog_enabled` read the real process environment, so tests that
/// change it live in one `.serialized` suite and no other suite touches these variables.
func withEnvironment<T>(_ values: [String: String?], _ body: () throws -> T) throws -> T {
    var saved: [String: String?] = [:]
    for (name, value) in values {
        saved[name] = getenv(name).map { String(cString: $0) }
        if let value {
            setenv(name, value, 1)
        } else {
            unsetenv(name)
        }
    }
    defer {
        for (name, value) in saved {
            if let value {
                setenv(name, value, 1)
            } else {
                unsetenv(name)
            }
        }
    }
    return try body()
}
