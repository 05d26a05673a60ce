import Foundation
import Testing
import TestSupport

/// `appflowd start` against `appflow-emulator`, both real binaries.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct StartCommandTests {
    @Test func startsAFlowAndPrintsTheExecution() async throws {
        let emulator = try await EmulatorProcess(["--flow", "accounts"])
        let output = try await Binaries.run("appflowd", ["start", "accounts", "--json", "--token", "tok-success"], environment: emulator.clientEnvironment())
        #expect(output.status == 0, "\(output.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        #expect((json["flowArn"] as? String)?.hasSuffix(":flow/accounts") == true)
        #expect(json["flowStatus"] as? String == "Active")
        #expect(json["clientToken"] as? String == "tok-success")
        let requests = emulator.startFlowRequests()
        #expect(requests.count == 1)
        #expect(json["executionId"] as? String == requests.first?["executionId"] as? String)
    }

    @Test func retriesWithTheSameTokenAndStartsOnce() async throws {
        let emulator = try await EmulatorProcess(["--flow", "accounts", "--fail-first", "2"])
        let env = emulator.clientEnvironment()
        let output = try await Binaries.run("appflowd", ["start", "accounts"], environment: env)
        #expect(output.status == 0, "\(output.stderr)")
        let requests = emulator.startFlowRequests()
        #expect(requests.count == 3)
        let tokens = Set(requests.compactMap { $0["clientToken"] as? String })
        #expect(tokens.count == 1)
        #expect(requests.map { $0["status"] as? Int } == [500, 500, 200])
        #expect(requests.filter { $0["newRun"] as? Bool == true }.count == 1)
        #expect(output.stderr.contains("retrying"))
        #expect(output.stdout.contains("executionId: \(requests[2]["executionId"] as? String ?? "?")"))
    }

    @Test func unknownFlowIsOneRequestAndExitOne() async throws {
        let emulator = try await EmulatorProcess(["--flow", "accounts"])
        let output = try await Binaries.run("appflowd", ["start", "nope"], environment: emulator.clientEnvironment())
        #expect(output.status == 1)
        #expect(output.stderr.hasPrefix("error: ResourceNotFoundException: "))
        #expect(emulator.startFlowRequests().count == 1)
    }

    @Test func wrongSecretIsASignatureErrorAndNeverPrinted() async throws {
        let emulator = try await EmulatorProcess(["--flow", "accounts"])
        let wrong = "wrong-secret-value-not-real"
        let output = try await Binaries.run("appflowd", ["start", "accounts", "--json"], environment: emulator.clientEnvironment(secret: wrong))
        #expect(output.status == 1)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: [String: String]])
        #expect(json["error"]?["code"] == "InvalidSignatureException")
        #expect(!(output.stdout + output.stderr).contains(wrong))
        #expect(emulator.startFlowRequests().count == 1)
    }

    @Test func scheduledFlowIsActivatedWithoutExecution() async throws {
        let emulator = try await EmulatorProcess(["--flow", "nightly:scheduled"])
        let output = try await Binaries.run("appflowd", ["start", "nightly", "--json"], environment: emulator.clientEnvironment())
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("\"executionId\":null"))
    }

    @Test func aRefusedConnectionFailsAtOnceNamingHostAndPort() async throws {
        let emulator = try await EmulatorProcess(["--flow", "accounts"])
        let env = emulator.clientEnvironment()
        emulator.child.signal(SIGKILL)
        _ = await emulator.child.exitStatus(within: .seconds(10))
        let began = ContinuousClock.now
        let output = try await Binaries.run("appflowd", ["start", "accounts", "--max-attempts", "3"], environment: env)
        #expect(output.status == 1)
        #expect(output.stderr.contains("error: ConnectionError: 127.0.0.1:\(emulator.port): connection refused (nothing listens there)"), "\(output.stderr)")
        #expect(!output.stderr.contains("errno") && !output.stderr.contains("error set"))
        // Three attempts with backoff of at most 1 s and 2 s, never 5 s per connect.
        #expect(ContinuousClock.now - began < .seconds(5), "\(output.stderr)")
    }

    @Test func usageErrorsExit64() async throws {
        let output = try await Binaries.run("appflowd", ["start"], environment: [:])
        #expect(output.status == 64)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl"), "needs the openssl command to make a test CA"))
    func tlsWithAPrivateCAThroughAWSCABundle() async throws {
        let pki = try await TestPKI()
        let emulator = try await EmulatorProcess(["--flow", "accounts", "--tls-cert", pki.serverCert, "--tls-key", pki.serverKey], tls: true)
        var env = emulator.clientEnvironment()
        let untrusted = try await Binaries.run("appflowd", ["start", "accounts", "--max-attempts", "1"], environment: env)
        #expect(untrusted.status == 1, "a server signed by an unknown CA must be refused")
        #expect(untrusted.stderr.contains("127.0.0.1:\(emulator.port): certificate not trusted"), "\(untrusted.stderr)")
        #expect(!untrusted.stderr.contains("BoringSSL") && !untrusted.stderr.contains(".c:"), "no library internals: \(untrusted.stderr)")
        env["AWS_CA_BUNDLE"] = pki.caCert
        let trusted = try await Binaries.run("appflowd", ["start", "accounts"], environment: env)
        #expect(trusted.status == 0, "\(trusted.stderr)")
        #expect(emulator.startFlowRequests().count == 1)
    }
}

/// A throwaway CA and a server certificate for 127.0.0.1, made with the openssl command.
struct TestPKI {
    let directory = NSTemporaryDirectory() + "appflowd-pki-\(UUID().uuidString)"
    var caCert: String { directory + "/ca.pem" }
    var serverCert: String { directory + "/server.pem" }
    var serverKey: String { directory + "/server.key" }

    init() async throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let script = """
            set -e
            cd '\(directory)'
            openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj '/CN=appflowd test CA' 2>/dev/null
            openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj '/CN=127.0.0.1' 2>/dev/null
            printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nbasicConstraints=CA:FALSE\\n' > ext.cnf
            openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile ext.cnf 2>/dev/null
            """
        guard try await ChildProcess.run("/bin/sh", ["-c", script]).status == 0 else { throw PKIFailed() }
    }

    struct PKIFailed: Error {}
}
