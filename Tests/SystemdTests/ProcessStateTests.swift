import Testing

/// Tests that change process-wide state: `NOTIFY_SOCKET`, `WATCHDOG_USEC`, `WATCHDOG_PID`
/// (which libsystemd reads from the real environment) and file descriptor 2.
///
/// `.serialized` applies to every suite nested in this one, so none of them overlap; no test
/// outside this suite touches that state.
@Suite(.serialized, .timeLimit(.minutes(5)))
enum ProcessStateTests {}
