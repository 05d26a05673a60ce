import Foundation

/// A validated job file: global settings and the jobs in file order.
package struct JobFile: Sendable {
    package var path: String
    /// The top-level `region`; nil: from the environment or the AWS profile.
    package var region: String?
    /// The top-level `role_arn` (with its `external_id` and `role_session_name`); jobs inherit it.
    package var role: AssumedRole?
    /// The top-level `timezone`, else the system's zone.
    package var timeZone: TimeZone
    package var maxConcurrency: Int
    /// StartFlow calls per second, all jobs together; nil when `rate_limit = 0` (unlimited).
    package var rateLimit: Double?
    package var tokenSalt: String
    package var metricsListen: String?
    package var metricsFile: String?
    /// All jobs in file order, disabled ones included (check `enabled`).
    package var jobs: [Job]

    package init(
        path: String, region: String? = nil, role: AssumedRole? = nil, timeZone: TimeZone, maxConcurrency: Int = 16, rateLimit: Double? = 10,
        tokenSalt: String = "", metricsListen: String? = nil, metricsFile: String? = nil, jobs: [Job] = []
    ) {
        self.path = path
        self.region = region
        self.role = role
        self.timeZone = timeZone
        self.maxConcurrency = maxConcurrency
        self.rateLimit = rateLimit
        self.tokenSalt = tokenSalt
        self.metricsListen = metricsListen
        self.metricsFile = metricsFile
        self.jobs = jobs
    }
}
