import Foundation
import Synchronization

/// The emulator's source of "now": run completion, the 8-hour idempotency window, the
/// signature's time check and the record's arrival times all read it, so tests can move
/// time forward instead of sleeping.
package protocol EmulatorClock: Sendable {
    func now() -> Date
}

/// The wall clock.
package struct SystemEmulatorClock: EmulatorClock {
    package init() {}
    package func now() -> Date { Date() }
}

/// A clock that only moves when told to.
package final class ManualEmulatorClock: EmulatorClock {
    private let current: Mutex<Date>

    package init(_ start: Date = Date(timeIntervalSince1970: 1_750_000_000)) {
        current = Mutex(start)
    }

    package func now() -> Date { current.withLock { $0 } }

    package func advance(by seconds: TimeInterval) {
        current.withLock { $0 += seconds }
    }

    package func set(_ date: Date) {
        current.withLock { $0 = date }
    }
}
