import AppFlow
import JobFile
import Scheduler

/// What `appflowd check --aws` needs of AppFlow: DescribeFlow of a job's flow, sent where the
/// job's StartFlow would go, with the credentials it would use. `RegionalClients` in
/// production, a fake in tests. Taking the whole job keeps the choice of client (region, and
/// whatever else a job may come to name) in one place.
package protocol FlowDescriber: Sendable {
    /// The region the job's calls go to: its own, else the environment's or the profile's.
    func region(for job: Job) throws -> String
    func describeFlow(for job: Job) async throws -> FlowDescription
}

extension RegionalClients: FlowDescriber {
    package func region(for job: Job) throws -> String {
        try client(for: job.target).configuration.region
    }

    package func describeFlow(for job: Job) async throws -> FlowDescription {
        try await client(for: job.target).describeFlow(flowName: job.flow)
    }
}

/// Asks AppFlow about every enabled job's flow: DescribeFlow at most `concurrency` calls at a
/// time, once per flow and region (jobs sharing both share the answer), each call retried as a
/// StartFlow is: the job's `[retry]` settings and `RetrySettings.decide`, on the failure as
/// `CallFailure` reads it (throttling, 5xx and connection errors retried; not found, access
/// and signature errors not).
package struct FlowCheck: Sendable {
    /// One enabled job, where its calls go, and what came back.
    package struct Answer: Sendable {
        package var job: Job
        /// The region asked, or the job's setting (`-` for none) when it cannot be resolved.
        package var region: String
        package var result: Result<FlowDescription, CallFailure>
    }

    let describer: any FlowDescriber
    let concurrency: Int
    let nowMs: @Sendable () -> Int64
    let random: @Sendable () -> Double
    let sleep: @Sendable (Duration) async throws -> Void
    let onRetry: @Sendable (_ job: Job, _ region: String, _ attempt: Int, _ failure: CallFailure, _ after: Duration) -> Void

    package init(describer: any FlowDescriber, concurrency: Int = 8, nowMs: @escaping @Sendable () -> Int64,
                 random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
                 sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
                 onRetry: @escaping @Sendable (Job, String, Int, CallFailure, Duration) -> Void = { _, _, _, _, _ in }) {
        self.describer = describer
        self.concurrency = max(1, concurrency)
        self.nowMs = nowMs
        self.random = random
        self.sleep = sleep
        self.onRetry = onRetry
    }

    /// The answers for the enabled jobs, in their order.
    package func run(jobs: [Job]) async -> [Answer] {
        let enabled = jobs.filter(\.enabled)
        var regions: [String?] = []
        var keys: [String] = []
        var firstJobOfKey: [String: Job] = [:]
        var order: [String] = []
        for job in enabled {
            guard let region = try? describer.region(for: job) else {
                regions.append(nil)
                keys.append("")
                continue
            }
            let key = Self.key(region: region, role: job.role, flow: job.flow)
            regions.append(region)
            keys.append(key)
            if firstJobOfKey[key] == nil {
                firstJobOfKey[key] = job
                order.append(key)
            }
        }
        let results = await describeAll(order.compactMap { key in firstJobOfKey[key].map { (key, $0) } })
        return enabled.indices.map { i in
            let job = enabled[i]
            guard let region = regions[i] else {
                return Answer(job: job, region: job.region ?? "-", result: .failure(Self.unresolvedRegion(job)))
            }
            let result = results[keys[i]] ?? .failure(CallFailure(code: "Cancelled", message: "not asked", retryable: false))
            return Answer(job: job, region: region, result: result)
        }
    }

    /// Jobs asking about the same flow in the same region as the same role share one call (a
    /// role may see what the daemon's own credentials do not, and the other way round).
    static func key(region: String, role: AssumedRole?, flow: String) -> String {
        [region, role?.arn ?? "", role?.externalId ?? "", role?.sessionName ?? "", flow].joined(separator: "\n")
    }

    static func unresolvedRegion(_ job: Job) -> CallFailure {
        CallFailure(code: "ConfigurationError", message: "no region for job '\(job.name)': set region in the job file, AWS_REGION or the profile",
                    retryable: false)
    }

    /// At most `concurrency` calls in flight.
    func describeAll(_ work: [(key: String, job: Job)]) async -> [String: Result<FlowDescription, CallFailure>] {
        await withTaskGroup(of: (String, Result<FlowDescription, CallFailure>).self) { group in
            var results: [String: Result<FlowDescription, CallFailure>] = [:]
            var pending = work[...]
            var inFlight = 0
            while true {
                while inFlight < concurrency, let next = pending.popFirst() {
                    group.addTask { (next.key, await describe(next.job)) }
                    inFlight += 1
                }
                guard let (key, result) = await group.next() else { break }
                inFlight -= 1
                results[key] = result
            }
            return results
        }
    }

    /// One flow, retried until it answers or the job's retry rules give up.
    func describe(_ job: Job) async -> Result<FlowDescription, CallFailure> {
        let region = (try? describer.region(for: job)) ?? "-"
        let firstMs = nowMs()
        var attempt = 0
        while true {
            attempt += 1
            let failure: CallFailure
            do {
                return .success(try await describer.describeFlow(for: job))
            } catch {
                failure = CallFailure(error)
            }
            let decision = job.retry.decide(failure: failure, attempt: attempt, sinceFirstAttempt: .milliseconds(nowMs() - firstMs),
                                            tokenAge: .zero, random: random())
            var gaveUp = failure
            switch decision {
            case .retry(let after):
                onRetry(job, region, attempt, failure, after)
                do {
                    try await sleep(after)
                } catch {
                    return .failure(CallFailure(code: "Cancelled", message: "interrupted while waiting to retry (\(failure))", retryable: false))
                }
                continue
            case .giveUp(.attemptsExhausted): gaveUp.message += " (gave up after \(attempt) attempts)"
            case .giveUp(.deadlineExceeded): gaveUp.message += " (retry deadline reached after \(attempt) attempts)"
            case .giveUp(.notRetryable), .giveUp(.tokenExpired): break
            }
            return .failure(gaveUp)
        }
    }
}
