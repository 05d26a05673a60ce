import Foundation
import Testing

/// `appflowd start` against `appflow-emulator`, both real binaries.
@Suite(.serialized)
struct StartCommandTests {
    @Test func startsAFlowAndPrintsTheExecution() throws {
        let emulator = try EmulatorProcess(["--flow", "accounts"])
        let output = try Binaries.run("appflowd", ["start", "accounts", "--json", "--token", "tok-success"], environment: emulator.clientEnvironment())
        #expect(output.status == 0, "\(output.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        #expect((json["flowArn"] as? String)?.hasSuffix(":flow/accounts") == true)
        #expect(json["flowStatus"] as? String == "Active")
        #expect(json["clientToken"] as? String == "tok-success")
        let requests = emulator.startFlowRequests()
        #expect(requests.count == 1)
        #expect(json["executionId"] as? String == requests.first?["executionId"] as? String)
    }

    @Test func retriesWithTheSameTokenAndStartsOnce() throws {
        let emulator = try EmulatorProcess(["--flow", "accounts", "--fail-first", "2"])
        let env = emulator.clientEnvironment()
        let output = try Binaries.run("appflowd", ["start", "accounts"], environment: env)
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

    @Test func unknownFlowIsOneRequestAndExitOne() throws {
        let emulator = try EmulatorProcess(["--flow", "accounts"])
        let output = try Binaries.run("appflowd", ["start", "nope"], environment: emulator.clientEnvironment())
        #expect(output.status == 1)
        #expect(output.stderr.hasPrefix("error: ResourceNotFoundException: "))
        #expect(emulator.startFlowRequests().count == 1)
    }

    @Test func wrongSecretIsASignatureErrorAndNeverPrinted() throws {
        let emulator = try EmulatorProcess(["--flow", "accounts"])
        let wrong = "wrong-secret-value-not-real"
        let output = try Binaries.run("appflowd", ["start", "accounts", "--json"], environment: emulator.clientEnvironment(secret: wrong))
        #expect(output.status == 1)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: [String: String]])
        #expect(json["error"]?["code"] == "InvalidSignatureException")
        #expect(!(output.stdout + output.stderr).contains(wrong))
        #expect(emulator.startFlowRequests().count == 1)
    }

    @Test func scheduledFlowIsActivatedWithoutExecution() throws {
        let emulator = try EmulatorProcess(["--flow", "nightly:scheduled"])
        let output = try Binaries.run("appflowd", ["start", "nightly", "--json"], environment: emulator.clientEnvironment())
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("\"executionId\":null"))
    }

    @Test func usageErrorsExit64() throws {
        let output = try Binaries.run("appflowd", ["start"], environment: [:])
        #expect(output.status == 64)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl"), "needs the openssl command to make a test CA"))
    func tlsWithAPrivateCAThroughAWSCABundle() throws {
        let pki = try TestPKI()
        let emulator = try EmulatorProcess(["--flow", "accounts", "--tls-cert", pki.serverCert, "--tls-key", pki.serverKey], tls: true)
        var env = emulator.clientEnvironment()
        let untrusted = try Binaries.run("appflowd", ["start", "accounts", "--max-attempts", "1"], environment: env)
        #expect(untrusted.status == 1, "a server signed by an unknown CA must be refused")
        env["AWS_CA_BUNDLE"] = pki.caCert
        let trusted = try Binaries.run("appflowd", ["start", "accounts"], environment: env)
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

    init() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let script = """
            set -e
            cd '\(directory)'
            openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj '/CN=appflowd test CA' 2>/dev/null
            openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj '/CN=127.0.0.1' 2>/dev/null
            printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nbasicConstraints=CA:FALSE\\n' > ext.cnf
            openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile ext.cnf 2>/dev/null
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw PKIFailed() }
    }

    struct PKIFailed: Error {}
}
