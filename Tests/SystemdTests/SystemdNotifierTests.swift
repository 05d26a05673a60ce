import Testing
import TestSupport

@testable import Systemd

#if canImport(Glibc)
import Glibc
#endif

extension ProcessStateTests {
    @Suite(.timeLimit(.minutes(5)))
    struct SystemdNotifierTests {
        let notifier = SystemdNotifier()

        /// Runs `body` with `NOTIFY_SOCKET` naming a fresh socket, then checks nothing more
        /// than the datagrams `body` expects was sent.
        func withNotifySocket(address: String = NotifySocket.temporaryPath(), _ body: (NotifySocket) throws -> Void) throws {
            try NotifySocket.with(address: address) { socket throws in
                try withEnvironment(["NOTIFY_SOCKET": socket.address]) { () throws in
                    try body(socket)
                }
                #expect(try socket.receive() == nil, "unexpected extra datagram")
            }
        }

        @Test func readySendsExactBytes() throws {
            try withNotifySocket { socket throws in
                try notifier.ready(status: nil)
                #expect(try socket.receive() == "READY=1")
                try notifier.ready(status: "3 jobs, next 2026-11-26T01:00:00Z")
                #expect(try socket.receive() == "READY=1\nSTATUS=3 jobs, next 2026-11-26T01:00:00Z")
            }
        }

        @Test func statusIsOneLine() throws {
            try withNotifySocket { socket throws in
                try notifier.status("3 jobs")
                #expect(try socket.receive() == "STATUS=3 jobs")
                // A newline in the text must not smuggle in another assignment.
                try notifier.status("failed: bad\nREADY=1")
                #expect(try socket.receive() == "STATUS=failed: bad READY=1")
            }
        }

        @Test func reloadingCarriesMonotonicTime() throws {
            try withNotifySocket { socket throws in
                let before = try Self.monotonicMicroseconds()
                try notifier.reloading(status: "reloading /etc/appflowd/jobs.toml")
                let after = try Self.monotonicMicroseconds()
                let datagram = try #require(try socket.receive())
                let lines = datagram.split(separator: "\n", omittingEmptySubsequences: false)
                try #require(lines.count == 3, "got \(datagram)")
                #expect(lines[0] == "RELOADING=1")
                #expect(lines[2] == "STATUS=reloading /etc/appflowd/jobs.toml")
                #expect(lines[1].hasPrefix("MONOTONIC_USEC="))
                let value = try #require(UInt64(lines[1].dropFirst("MONOTONIC_USEC=".count)))
                #expect(before <= value && value <= after, "\(before) <= \(value) <= \(after)")

                try notifier.reloading(status: nil)
                let bare = try #require(try socket.receive())
                #expect(bare.hasPrefix("RELOADING=1\nMONOTONIC_USEC="))
                #expect(!bare.contains("STATUS="))
            }
        }

        @Test func stoppingAndWatchdog() throws {
            try withNotifySocket { socket throws in
                try notifier.stopping(status: nil)
                #expect(try socket.receive() == "STOPPING=1")
                try notifier.stopping(status: "stopping, 2 starts in flight")
                #expect(try socket.receive() == "STOPPING=1\nSTATUS=stopping, 2 starts in flight")
                try notifier.watchdog()
                #expect(try socket.receive() == "WATCHDOG=1")
            }
        }

        @Test func rawNotifyReportsSent() throws {
            try withNotifySocket { socket throws in
                #expect(notifier.isEnabled)
                #expect(try notifier.notify("READY=1\nSTATUS=x=y") == true)
                #expect(try socket.receive() == "READY=1\nSTATUS=x=y")
            }
        }

        @Test func abstractSocketAddress() throws {
            try withNotifySocket(address: "@appflowd-notify-\(getpid())-\(UInt32.random(in: 0...UInt32.max))") { socket throws in
                try notifier.ready(status: nil)
                #expect(try socket.receive() == "READY=1")
            }
        }

        @Test func withoutNotifySocketEverythingIsANoOp() throws {
            try withEnvironment(["NOTIFY_SOCKET": nil]) { () throws in
                #expect(!notifier.isEnabled)
                #expect(try notifier.notify("READY=1") == false)
                try notifier.ready(status: "x")
                try notifier.reloading(status: "x")
                try notifier.stopping(status: "x")
                try notifier.status("x")
                try notifier.watchdog()
            }
        }

        @Test func emptyNotifySocketIsDisabled() throws {
            try withEnvironment(["NOTIFY_SOCKET": ""]) { () throws in
                #expect(!notifier.isEnabled)
            }
        }

        @Test func missingSocketThrowsErrno() throws {
            let path = NotifySocket.temporaryPath()  // never bound
            try withEnvironment(["NOTIFY_SOCKET": path]) { () throws in
                #expect(notifier.isEnabled)
                let error = #expect(throws: SystemdError.self) { try notifier.ready(status: nil) }
                #expect(error == SystemdError(errno: ENOENT, function: "sd_notify"))
                #expect(error?.description.contains("sd_notify") == true)
            }
        }

        @Test func relativeSocketPathThrowsEINVAL() throws {
            try withEnvironment(["NOTIFY_SOCKET": "relative/path.sock"]) { () throws in
                let error = #expect(throws: SystemdError.self) { try notifier.watchdog() }
                #expect(error == SystemdError(errno: EINVAL, function: "sd_notify"))
            }
        }

        /// Independent of the code under test: read `CLOCK_MONOTONIC` here directly.
        static func monotonicMicroseconds() throws -> UInt64 {
            var now = timespec()
            try #require(clock_gettime(CLOCK_MONOTONIC, &now) == 0)
            return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
        }
    }
}
