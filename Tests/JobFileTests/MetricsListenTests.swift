import Testing
@testable import JobFile

/// Issue 18, item 2: `metrics_listen` always names its host.
@Suite(.timeLimit(.minutes(1)))
struct MetricsListenTests {
    @Test(arguments: [
        ("127.0.0.1:9464", "127.0.0.1", 9464, false),
        ("[::1]:9464", "::1", 9464, false),
        ("localhost:1", "localhost", 1, false),
        ("0.0.0.0:9464", "0.0.0.0", 9464, true),
        ("[::]:9464", "::", 9464, true),
        ("[fe80::1%eth0]:9464", "fe80::1%eth0", 9464, false),
    ])
    func accepted(_ text: String, _ host: String, _ port: Int, _ wildcard: Bool) throws {
        let address = try MetricsListen.parse(text).get()
        #expect(address == MetricsListen(host: host, port: port))
        #expect(address.isWildcard == wildcard)
    }

    @Test(arguments: [
        (":9464", "needs a host"),
        ("9464", "must be HOST:PORT"),
        ("127.0.0.1:65536", "must be HOST:PORT"),
        ("::1:9464", "without brackets"),
        ("[::1:9464", "unclosed"),
        ("[]:9464", "unclosed"),
        ("host name:9464", "characters"),
    ])
    func refused(_ text: String, _ problem: String) {
        guard case .failure(let failure) = MetricsListen.parse(text) else {
            Issue.record("\(text) accepted")
            return
        }
        #expect(failure.message.contains(problem), "\(failure.message)")
    }

    @Test func theJobFileRefusesPortZero() {
        let (file, diagnostics) = JobFileLoader.parse("metrics_listen = \"127.0.0.1:0\"\n", fileName: "jobs.toml", now: 0)
        #expect(file == nil)
        #expect(diagnostics.map(\.description) == ["jobs.toml:1:18: error: 'metrics_listen' needs a port from 1 to 65535: port 0 would be a different one at every start"])
    }
}
