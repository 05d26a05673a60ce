import CoreMetrics
import Prometheus

/// The daemon's metrics, recorded through swift-metrics on an explicit factory (no global
/// `MetricsSystem.bootstrap`), so a test or a second runtime never shares counters by accident.
/// `prometheus()` backs them with a swift-prometheus registry whose text `exposition()` serves
/// `/metrics` and the node_exporter textfile; `disabled` records nothing.
///
/// Names follow Prometheus conventions: the `appflowd_` prefix, base units (seconds), `_total`
/// for counters, `_timestamp_seconds` for Unix times. Labels are `job_name` and `flow_name` (as
/// the journal's JOB_NAME and FLOW_NAME; Prometheus reserves `job` for the scrape job),
/// `outcome` (the journal's EVENT names) and `code`/`operation` for errors.
package struct DaemonMetrics: Sendable {
    /// Metric names, in one place for the README, the tests and the alert examples.
    package enum Name {
        package static let starts = "appflowd_starts_total"
        package static let runs = "appflowd_runs_total"
        package static let retries = "appflowd_retries_total"
        package static let errors = "appflowd_errors_total"
        package static let fireLateness = "appflowd_fire_lateness_seconds"
        package static let startLatency = "appflowd_start_latency_seconds"
        package static let jobs = "appflowd_jobs"
        package static let inFlight = "appflowd_in_flight_calls"
        package static let nextFire = "appflowd_next_fire_timestamp_seconds"
        package static let lastSuccess = "appflowd_last_success_timestamp_seconds"
        package static let interval = "appflowd_schedule_interval_seconds"
    }

    let factory: any MetricsFactory
    let registry: PrometheusCollectorRegistry?
    let errorCodes = ErrorCodeLabels()

    /// Records nothing.
    package static let disabled = DaemonMetrics(factory: NOOPMetricsHandler.instance, registry: nil)

    init(factory: any MetricsFactory, registry: PrometheusCollectorRegistry?) {
        self.factory = factory
        self.registry = registry
    }

    /// Metrics kept in a fresh Prometheus registry.
    package static func prometheus() -> DaemonMetrics {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Lateness: a strict timer is sub-millisecond late; a busy machine, a suspend or a start
        // gate full of calls make it seconds to minutes.
        factory.durationHistogramBuckets[Name.fireLateness] = [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(50), .milliseconds(100),
            .milliseconds(500), .seconds(1), .seconds(5), .seconds(30), .seconds(60), .seconds(300),
        ]
        // StartFlow: tens of milliseconds in a region, seconds when AWS is slow.
        factory.durationHistogramBuckets[Name.startLatency] = [
            .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
            .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30),
        ]
        return DaemonMetrics(factory: factory, registry: registry)
    }

    /// The Prometheus text exposition format (version 0.0.4) of every metric; empty when disabled.
    package func exposition() -> String {
        registry?.emitToString() ?? ""
    }

    // MARK: Events

    /// A slot's StartFlow outcome: started, activated, failed, skipped, outcome-unknown.
    func start(flow: String, outcome: String, count: Int = 1) {
        guard count > 0 else { return }
        Counter(label: Name.starts, dimensions: [("flow_name", flow), ("outcome", outcome)], factory: factory).increment(by: count)
    }

    /// How a followed run (wait = true) ended: succeeded, errored, canceled, outcome-unknown.
    func run(flow: String, outcome: String) {
        Counter(label: Name.runs, dimensions: [("flow_name", flow), ("outcome", outcome)], factory: factory).increment()
    }

    /// A StartFlow attempt failed and will be retried after a backoff.
    func retry(flow: String) {
        Counter(label: Name.retries, dimensions: [("flow_name", flow)], factory: factory).increment()
    }

    /// A failed call or write, by operation (StartFlow, DescribeFlowExecutionRecords, Ledger)
    /// and error code (a bounded set of codes, `ErrorCodeLabels`); every failed attempt counts,
    /// retried or not.
    func error(operation: String, code: String) {
        let label = errorCodes.label(for: code)
        Counter(label: Name.errors, dimensions: [("operation", operation), ("code", label)], factory: factory).increment()
    }

    /// From a slot's fire time (slot plus jitter) to its first StartFlow being sent.
    func fireLateness(milliseconds: Int64) {
        Timer(label: Name.fireLateness, factory: factory).recordMilliseconds(max(0, milliseconds))
    }

    /// One StartFlow call, from send to answer or error.
    package func startLatency(_ duration: Duration) {
        let c = duration.components
        Timer(label: Name.startLatency, factory: factory).recordNanoseconds(max(0, c.seconds * 1_000_000_000 + c.attoseconds / 1_000_000_000))
    }

    // MARK: Gauges

    /// Enabled jobs.
    func jobs(_ count: Int) {
        Gauge(label: Name.jobs, factory: factory).record(count)
    }

    /// StartFlow calls in flight, all jobs together.
    func inFlight(_ count: Int) {
        Gauge(label: Name.inFlight, factory: factory).record(count)
    }

    /// When the job's next slot fires, and the gap to the slot after it (nil: none).
    func next(job: String, fireMs: Int64, interval: Int64?) {
        Gauge(label: Name.nextFire, dimensions: [("job_name", job)], factory: factory).record(Double(fireMs) / 1000)
        if let interval {
            Gauge(label: Name.interval, dimensions: [("job_name", job)], factory: factory).record(interval)
        }
    }

    /// When the job last succeeded: its run succeeded (wait = true), or StartFlow started or
    /// activated it (wait = false).
    func lastSuccess(job: String, at seconds: Double) {
        Gauge(label: Name.lastSuccess, dimensions: [("job_name", job)], factory: factory).record(seconds)
    }

    /// Drops a job's series (a job removed by a reload, or one that has no next slot any more).
    func forget(job: String, keepLastSuccess: Bool = false) {
        var names = [Name.nextFire, Name.interval]
        if !keepLastSuccess { names.append(Name.lastSuccess) }
        for name in names {
            Gauge(label: name, dimensions: [("job_name", job)], factory: factory).destroy()
        }
    }
}
