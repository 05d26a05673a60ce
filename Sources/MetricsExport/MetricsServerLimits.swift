/// What one client of the metrics listener may take, so that no client, however slow or
/// hostile, can hold the daemon's descriptors, memory or threads (docs/security.md).
package struct MetricsServerLimits: Sendable, Equatable {
    /// Connections open at once; a new one beyond this is closed as soon as it is accepted.
    /// A Prometheus server and a person with curl need a handful.
    package var maxConnections: Int
    /// A request's bytes: request line, headers and any body. A scrape takes about 200.
    package var maxRequestBytes: Int
    /// From a request's first byte to its end: a client that trickles its headers (slowloris)
    /// is cut off after this.
    package var headerTimeout: Duration
    /// A connection with no request in progress (keep-alive between scrapes) is closed after this.
    package var idleTimeout: Duration
    /// A response the client does not read within this closes the connection.
    package var writeTimeout: Duration

    package init(
        maxConnections: Int = 64, maxRequestBytes: Int = 8192, headerTimeout: Duration = .seconds(10),
        idleTimeout: Duration = .seconds(60), writeTimeout: Duration = .seconds(30)
    ) {
        self.maxConnections = maxConnections
        self.maxRequestBytes = maxRequestBytes
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
        self.writeTimeout = writeTimeout
    }
}
