import Testing

@testable import Systemd

#if canImport(Glibc)
import Glibc
#endif

extension ProcessStateTests {
    @Suite(.timeLimit(.minutes(5)))
    struct WatchdogIntervalTests {
        static let ownPID = String(getpid())

        @Test func unsetMeansNoWatchdog() throws {
            try withEnvironment(["WATCHDOG_USEC": nil, "WATCHDOG_PID": nil]) { () throws in
                #expect(try SystemdNotifier.watchdogInterval() == nil)
            }
        }

        @Test(arguments: [
            ("30000000", nil, Duration.seconds(15)),
            ("30000000", ownPID, .seconds(15)),
            ("1000001", ownPID, .microseconds(500_000)),
            ("3", nil, .microseconds(1)),
        ] as [(String, String?, Duration)])
        func halfOfWatchdogUsec(usec: String, pid: String?, expected: Duration) throws {
            try withEnvironment(["WATCHDOG_USEC": usec, "WATCHDOG_PID": pid]) { () throws in
                #expect(try SystemdNotifier.watchdogInterval() == expected)
            }
        }

        @Test func anotherProcessesWatchdogIsIgnored() throws {
            let otherPID = String(getpid() == 1 ? 2 : 1)
            try withEnvironment(["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": otherPID]) { () throws in
                #expect(try SystemdNotifier.watchdogInterval() == nil)
            }
        }

        /// libsystemd's own parsing decides the errno: `-5` is out of range for an unsigned value.
        @Test(arguments: [("abc", EINVAL), ("-5", ERANGE), ("0", EINVAL)])
        func malformedUsecThrows(usec: String, errno: Int32) throws {
            try withEnvironment(["WATCHDOG_USEC": usec, "WATCHDOG_PID": nil]) { () throws in
                let error = #expect(throws: SystemdError.self) { try SystemdNotifier.watchdogInterval() }
                #expect(error?.function == "sd_watchdog_enabled")
                #expect(error?.errno == errno)
            }
        }
    }
}
