import Foundation
import Scheduling

/// One validated `[[job]]`, with every default already applied.
package struct Job: Sendable {
    package var name: String
    package var flow: String
    package var schedule: any Schedule
    /// The schedule as the user wrote it, prefixed by its kind, e.g. `cron 0 2 * * 1-5`.
    package var scheduleDescription: String
    package var jitter: Duration
    package var wait: Bool
    package var overlap: Overlap
    package var enabled: Bool
    package var timeZone: TimeZone
    package var catchUp: CatchUp
    package var catchUpWindow: Duration
    /// nil: from the environment or the AWS profile.
    package var region: String?
    /// The IAM role its calls are made as; nil: the credentials the chain finds.
    package var role: AssumedRole?
    package var retry: RetrySettings
    package var tokenSalt: String
    /// Line of the job's `[[job]]` header.
    package var line: Int
    /// The file that holds the job (the main job file or one in `jobs.d`); empty when unknown.
    package var file = ""
    /// `start` and `end`: `schedule` already gives only the slots inside them.
    package private(set) var bounds = SlotBounds()

    package init(
        name: String, flow: String, schedule: any Schedule, scheduleDescription: String, jitter: Duration = .zero,
        wait: Bool = false, overlap: Overlap = .skip, enabled: Bool = true, timeZone: TimeZone, catchUp: CatchUp = .latest,
        catchUpWindow: Duration = .seconds(6 * 3600), region: String? = nil, role: AssumedRole? = nil, retry: RetrySettings = RetrySettings(),
        tokenSalt: String = "", line: Int = 0, bounds: SlotBounds = SlotBounds()
    ) {
        self.name = name
        self.flow = flow
        self.schedule = bounds.isUnbounded ? schedule : BoundedSchedule(base: schedule, bounds: bounds)
        self.bounds = bounds
        self.scheduleDescription = scheduleDescription
        self.jitter = jitter
        self.wait = wait
        self.overlap = overlap
        self.enabled = enabled
        self.timeZone = timeZone
        self.catchUp = catchUp
        self.catchUpWindow = catchUpWindow
        self.region = region
        self.role = role
        self.retry = retry
        self.tokenSalt = tokenSalt
        self.line = line
    }

    /// Where its calls go and as whom.
    package var target: CallTarget { CallTarget(region: region, role: role) }

    /// The SPEC section 3 token of one slot of this job.
    package func clientToken(slot: Int64) -> String {
        ClientToken.make(salt: tokenSalt, job: name, flow: flow, slot: slot)
    }

    /// The jitter in whole milliseconds.
    package var jitterMilliseconds: Int64 {
        let c = jitter.components
        return c.seconds * 1000 + c.attoseconds / 1_000_000_000_000_000
    }

    /// When a slot is started: the slot plus its deterministic jitter, never after `end`, in
    /// milliseconds since the epoch.
    package func fireTime(slot: Int64) -> Int64 {
        fireTime(slot: slot, token: clientToken(slot: slot))
    }

    /// ``fireTime(slot:)`` for a token already computed.
    package func fireTime(slot: Int64, token: String) -> Int64 {
        slot * 1000 + Jitter.offsetMilliseconds(token: token, jitterMilliseconds: bounds.jitterMilliseconds(slot: slot, jitterMilliseconds: jitterMilliseconds))
    }
}
