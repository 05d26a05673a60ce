extension RegionalClients {
    /// What the daemon runs with; never a secret.
    package struct Setup: Sendable {
        package var endpoints: [(region: String, url: String)] = []
        /// `default`, or the variable that set every endpoint (`AWS_ENDPOINT_URL`, ...).
        package var endpointSource: String
        package var credentialSource: String?
        /// Why no credentials could be had: every start will fail.
        package var credentialProblem: String?

        /// The note for STATUS=.
        package var statusNote: String? {
            if let credentialSource { return "credentials: \(credentialSource)" }
            if credentialProblem != nil { return "NO USABLE AWS CREDENTIALS: every start will fail (see the log)" }
            return nil
        }

        /// The fields of the start-up log line.
        package var fields: [String: String] {
            var fields = ["endpoints": endpoints.map { "\($0.region)=\($0.url)" }.joined(separator: ","), "endpoint_source": endpointSource]
            if let credentialSource { fields["credentials"] = credentialSource }
            if let credentialProblem { fields["error"] = credentialProblem }
            return fields
        }
    }
}
