import Foundation
import Testing
import TestSupport

/// A role per job, with the real binaries: `appflowd run` and `appflowd start --role-arn`
/// against `appflow-emulator` and a local STS. The emulator accepts the keys the STS issues.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct RoleEndToEndTests {
    static let roleA = STSProcess.Role(
        arn: "arn:aws:iam::111111111111:role/appflowd-a", externalId: "ext-e2e-a", keyId: "ASIAE2EROLEA", secret: "e2e-role-a-secret-not-real")
    static let roleB = "arn:aws:iam::222222222222:role/appflowd-b"

    static func emulator(_ flows: [String]) async throws -> EmulatorProcess {
        try await EmulatorProcess(flows.flatMap { ["--flow", $0] } + ["--credentials", "\(roleA.keyId):\(roleA.secret)"])
    }

    @Test func twoJobsTwoAccountsOneRoleRefused() async throws {
        let sts = try await STSProcess(roles: [Self.roleA])
        let emulator = try await Self.emulator(["accounts", "orders"])
        let dir = makeTemporaryDirectory()
        let slot = futureSlot(inSeconds: 6)
        let config = dir + "/jobs.toml"
        writeFile(config, """
            [[job]]
            name = "a"
            flow = "accounts"
            at = ["\(slot.text)"]
            role_arn = "\(Self.roleA.arn)"
            external_id = "\(Self.roleA.externalId ?? "")"
            role_session_name = "e2e-a"
            [[job]]
            name = "b"
            flow = "orders"
            at = ["\(slot.text)"]
            role_arn = "\(Self.roleB)"
            """)
        var env = emulator.clientEnvironment()
        env["AWS_ENDPOINT_URL_STS"] = sts.url
        let daemon = try DaemonProcess(config: config, stateDir: dir + "/state", environment: env)
        try await eventually("a started, b failed", within: .seconds(60), log: daemon.log) {
            emulator.startFlowRequests().count >= 1 && daemon.log.contains("start failed")
        }
        daemon.signal(SIGTERM)
        _ = await daemon.exitStatus(within: .seconds(20))
        let starts = emulator.startFlowRequests()
        #expect(starts.map { $0["flowName"] as? String } == ["accounts"], "b never reaches AppFlow")
        #expect(starts.first?["accessKeyId"] as? String == Self.roleA.keyId, "signed as role A")
        #expect(starts.first?["status"] as? Int == 200)
        let expected = try await pythonTokens([("", "a", "accounts", slot.unix)])
        #expect(starts.first?["clientToken"] as? String == expected.first, "tokens do not change")
        let calls = sts.calls()
        let a = try #require(calls.first { $0["RoleArn"] == Self.roleA.arn })
        #expect(a["ExternalId"] == Self.roleA.externalId && a["RoleSessionName"] == "e2e-a")
        #expect(calls.allSatisfy { $0["signer"] == EmulatorProcess.keyId }, "AssumeRole is signed with the chain's keys")
        #expect(calls.contains { $0["RoleArn"] == Self.roleB && $0["ExternalId"] == nil })
        // b's failure names STS and the role; the start-up line lists both roles and says one is refused.
        let log = daemon.log
        #expect(log.contains("AccessDenied"), "\(log)")
        #expect(log.contains("STS AssumeRole for \(Self.roleB)"))
        #expect(log.contains("a role cannot be assumed"))
        #expect(!log.contains(Self.roleA.externalId ?? "?") && !log.contains(Self.roleA.secret))
    }

    /// `check --aws` asks each job's flow as that job's role: DescribeFlow signed with the key STS
    /// issued for the role, and a refused role is that job's error only.
    @Test func checkAWSAsksAsEachJobsRole() async throws {
        let sts = try await STSProcess(roles: [Self.roleA])
        let emulator = try await Self.emulator(["accounts", "orders", "plain"])
        let dir = makeTemporaryDirectory()
        let config = dir + "/jobs.toml"
        writeFile(config, """
            [[job]]
            name = "a"
            flow = "accounts"
            every = "1h"
            role_arn = "\(Self.roleA.arn)"
            external_id = "\(Self.roleA.externalId ?? "")"
            [[job]]
            name = "b"
            flow = "orders"
            every = "1h"
            role_arn = "\(Self.roleB)"
            [[job]]
            name = "c"
            flow = "plain"
            every = "1h"
            """)
        var env = emulator.clientEnvironment()
        env["AWS_ENDPOINT_URL_STS"] = sts.url
        let output = try await Binaries.run("appflowd", ["check", "--config", config, "--aws", "--json"], environment: env)
        #expect(output.status == 1, "b's role is refused: \(output)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]], "\(output)")
        #expect(rows.map { $0["severity"] as? String } == ["ok", "error", "ok"], "\(output.stdout)")
        #expect(rows[1]["errorCode"] as? String == "AccessDenied", "\(rows[1])")
        let describes = emulator.requests().filter { $0["operation"] as? String == "DescribeFlow" }
        let signers = Dictionary(describes.compactMap { r in (r["flowName"] as? String).map { ($0, r["accessKeyId"] as? String ?? "") } }) { a, _ in a }
        #expect(signers == ["accounts": Self.roleA.keyId, "plain": EmulatorProcess.keyId], "orders never reaches AppFlow")
        #expect(!output.stdout.contains(Self.roleA.externalId ?? "?") && !output.stderr.contains(Self.roleA.externalId ?? "?"))
    }

    @Test func startWithRoleArnSignsAsTheRole() async throws {
        let sts = try await STSProcess(roles: [Self.roleA])
        let emulator = try await Self.emulator(["accounts"])
        var env = emulator.clientEnvironment()
        env["AWS_ENDPOINT_URL_STS"] = sts.url
        let output = try await Binaries.run("appflowd", [
            "start", "accounts", "--json", "--role-arn", Self.roleA.arn, "--external-id", Self.roleA.externalId ?? "",
            "--role-session-name", "one-off",
        ], environment: env)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(emulator.startFlowRequests().map { $0["accessKeyId"] as? String } == [Self.roleA.keyId])
        let call = try #require(sts.calls().first)
        #expect(call["RoleArn"] == Self.roleA.arn && call["ExternalId"] == Self.roleA.externalId && call["RoleSessionName"] == "one-off")
        #expect(call["signer"] == EmulatorProcess.keyId)
    }

    @Test func startWithARefusedRoleIsSTSsAccessDeniedOnce() async throws {
        let sts = try await STSProcess(roles: [Self.roleA])
        let emulator = try await Self.emulator(["accounts"])
        var env = emulator.clientEnvironment()
        env["AWS_ENDPOINT_URL_STS"] = sts.url
        let output = try await Binaries.run("appflowd", ["start", "accounts", "--role-arn", Self.roleB, "--max-attempts", "3"], environment: env)
        #expect(output.status == 1)
        #expect(output.stderr.hasPrefix("error: AccessDenied: STS AssumeRole for \(Self.roleB): AccessDenied: "), "\(output.stderr)")
        #expect(output.stderr.contains("sts:AssumeRole"))
        #expect(emulator.startFlowRequests().isEmpty)
        #expect(sts.calls().count == 1, "AccessDenied is not retried")
    }

    @Test(arguments: [
        (["--role-arn", "arn:aws:iam::123:role/x"], "must be 12 digits"),
        (["--external-id", "ext-1"], "go with --role-arn"),
        (["--role-arn", "arn:aws:iam::123456789012:role/x", "--role-session-name", "a b"], "--role-session-name: must be 2 to 64"),
    ])
    func startRoleOptionsAreChecked(_ arguments: [String], _ expected: String) async throws {
        let output = try await Binaries.run("appflowd", ["start", "accounts"] + arguments, environment: [:])
        #expect(output.status == 64)
        #expect(output.stderr.contains(expected), "\(output.stderr)")
    }
}
