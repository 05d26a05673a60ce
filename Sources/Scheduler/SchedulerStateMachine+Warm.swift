import JobFile

extension SchedulerStateMachine {
    /// The warm path (issue 13): `warmLead` before the next slot's fire time, the executor is asked
    /// to make that slot's client ready, so that at the fire time only the request is written. One
    /// `warm` per fire time: a burst due at one instant is warmed once, by its first slot's region
    /// and role.
    mutating func warmAhead(nowMs: Int64) {
        guard let at = nextWarmMs, nowMs >= at, let next = planner.nextSlot else { return }
        warmedFireMs = next.fireMs
        emit(.warm(jobs[next.jobName]?.job.target ?? CallTarget(region: nil, role: nil)))
    }

    /// When the next `warm` is due; nil when none is (no lead, stopping, nothing planned, or
    /// the next slot warmed already).
    var nextWarmMs: Int64? {
        guard let lead = configuration.warmLead, !stopping, let next = planner.nextSlot, next.fireMs > warmedFireMs else { return nil }
        return next.fireMs - lead.milliseconds
    }
}
