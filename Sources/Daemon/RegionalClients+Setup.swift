extension RegionalClients {
    /// What the daemon runs with; never a secret.
    package struct Setup: Sendable {
        package var endpoints: [(region: String, url: String)] = []
        /// `default`, or the variable that set every endpoint (`AWS_ENDPOINT_URL`, ...).
        package var endpointSource: String
        package var credentialSource: String?
        /// Why no credentials could be had: every start will fail.
        package var credentialProblem: String?
        /// The roles the jobs assume (ARN and session name, never the external ID).
        package var roles: [String] = []
        /// Roles that could not be assumed just now, each with STS's answer: their jobs' starts
        /// will fail until that changes; the other jobs are not affected.
        package var roleProblems: [String] = []

        /// The note for STATUS=.
        package var statusNote: String? {
            if credentialProblem != nil { return "NO USABLE AWS CREDENTIALS: every start will fail (see the log)" }
            guard let credentialSource else { return nil }
            var note = "credentials: \(credentialSource)"
            if !roles.isEmpty { note += "; \(roles.count) role\(roles.count == 1 ? "" : "s")" }
            if !roleProblems.isEmpty {
                note += "; \(roleProblems.count) ROLE\(roleProblems.count == 1 ? "" : "S") CANNOT BE ASSUMED: their jobs' starts will fail (see the log)"
            }
            return note
        }

        /// The fields of the start-up log line.
        package var fields: [String: String] {
            var fields = ["endpoints": endpoints.map { "\($0.region)=\($0.url)" }.joined(separator: ","), "endpoint_source": endpointSource]
            if let credentialSource { fields["credentials"] = credentialSource }
            if let credentialProblem { fields["error"] = credentialProblem }
            if !roles.isEmpty { fields["roles"] = roles.joined(separator: ",") }
            if !roleProblems.isEmpty { fields["role_errors"] = roleProblems.joined(separator: "; ") }
            return fields
        }
    }
}
