import AppFlowEmulator
import Foundation
import JobFile
import Logging
import Scheduler
import Scheduling
import Testing
@testable import AppFlow
@testable import Daemon

/// A role per job (`role_arn` in the job file, `start --role-arn`): STS `AssumeRole` on the
/// credential tests' STS, which verifies each call's signature, and calls to the emulator signed
/// with the role's credentials.
@Suite(.timeLimit(.minutes(5))) struct JobRoleTests {
    static let roleA = "arn:aws:iam::111111111111:role/appflowd-runner-a"
    static let roleB = "arn:aws:iam::222222222222:role/appflowd-runner-b"

    /// The fixture's environment with the source keys in environment variables.
    static func environment(_ f: CredentialFixture) -> [String: String] {
        var env = f.environment
        env["AWS_ACCESS_KEY_ID"] = CredentialFixture.sourceKeyId
        env["AWS_SECRET_ACCESS_KEY"] = CredentialFixture.sourceSecret
        return env
    }

    @Test func theRoleIsAssumedWithItsExternalIdAndSessionNameThenRefreshedBeforeExpiry() async throws {
        try await CredentialFixture.with { f in
            f.services.with { $0.roles[Self.roleA] = .init(externalId: "ext-a-7") }
            let env = Self.environment(f)
            var configuration = try AppFlowClient.Configuration.fromEnvironment(env, region: "eu-west-1")
            configuration.assumeRole(arn: Self.roleA, externalId: "ext-a-7", sessionName: "nightly-sync", origin: "the job file", environment: env)
            let cache = CredentialCache(provider: configuration.credentials, refreshMargin: 300, backgroundRefreshMargin: 300, now: { f.clock.date() })
            let first = try await cache.credentials()
            #expect(first.signing.accessKeyId == "ASIATESTISSUED1")
            #expect(first.source == "the job file role \(Self.roleA)")
            let call = try #require(f.services.with { $0.stsCalls.last })
            #expect(call["Action"] == "AssumeRole" && call["RoleArn"] == Self.roleA)
            #expect(call["ExternalId"] == "ext-a-7" && call["RoleSessionName"] == "nightly-sync")
            // Signed with the chain's credentials (the server verified the signature).
            #expect(f.services.with { $0.stsCallers } == [CredentialFixture.sourceKeyId])
            f.clock.advance(3000)  // ten minutes left: kept
            #expect(try await cache.credentials().signing.accessKeyId == "ASIATESTISSUED1")
            #expect(f.services.with { $0.stsCalls.count } == 1)
            f.clock.advance(400)  // inside the five-minute margin: assumed again
            #expect(try await cache.credentials().signing.accessKeyId == "ASIATESTISSUED2")
            #expect(f.services.with { $0.stsCalls.count } == 2)
        }
    }

    @Test func theDefaultSessionNameIsTheHostsAndFitsSTS() async throws {
        #expect(AppFlowClient.Configuration.defaultRoleSessionName(hostName: "web 1.example.com") == "appflowd-web-1.example.com")
        #expect(AppFlowClient.Configuration.defaultRoleSessionName(hostName: nil) == "appflowd")
        let long = AppFlowClient.Configuration.defaultRoleSessionName(hostName: String(repeating: "h", count: 100))
        #expect(long.count == 64 && AssumedRole.sessionNameProblem(long) == nil)
        try await CredentialFixture.with { f in
            f.services.with { $0.roles[Self.roleA] = .init() }
            let env = Self.environment(f)
            var configuration = try AppFlowClient.Configuration.fromEnvironment(env, region: "eu-west-1")
            configuration.assumeRole(arn: Self.roleA, externalId: nil, sessionName: nil, origin: "--role-arn", environment: env)
            _ = try await configuration.credentials.resolve()
            let call = try #require(f.services.with { $0.stsCalls.last })
            #expect(call["RoleSessionName"] == AppFlowClient.Configuration.defaultRoleSessionName())
            #expect(call["ExternalId"] == nil)
        }
    }

    @Test func aRefusedRoleIsSTSsAccessDeniedAndNotRetried() async throws {
        try await CredentialFixture.with { f in
            let env = Self.environment(f)
            var configuration = try AppFlowClient.Configuration.fromEnvironment(env, region: "eu-west-1")
            configuration.assumeRole(arn: Self.roleB, externalId: "ext-b-1", sessionName: nil, origin: "the job file", environment: env)
            let error = try await #require(throws: CredentialError.self) { try await configuration.credentials.resolve() }
            let failure = CallFailure(error)
            #expect(failure.code == "AccessDenied")
            #expect(!failure.retryable)
            #expect(failure.message.contains("STS AssumeRole for \(Self.roleB)"), "\(failure.message)")
            #expect(failure.message.contains("sts:AssumeRole") && failure.message.contains("HTTP 403"))
            #expect(!failure.message.contains("ext-b-1") && !failure.message.contains(CredentialFixture.sourceSecret))
        }
    }

    @Test(arguments: [
        (400, "Throttling", true), (503, "ServiceUnavailable", true), (500, "InternalFailure", true),
        (403, "AccessDenied", false), (400, "RegionDisabledException", false), (403, "ExpiredToken", false),
    ])
    func stsAnswersAreRetriedAsAnyCallIs(status: Int, code: String, retried: Bool) throws {
        let xml = "<ErrorResponse><Error><Type>Sender</Type><Code>\(code)</Code><Message>m</Message></Error></ErrorResponse>"
        let answer = CredentialHTTPClient.Response(status: status, body: Array(xml.utf8))
        let error = try #require(throws: CredentialError.self) {
            try STSClient.credentials(from: answer, operation: "AssumeRole", roleArn: Self.roleA, source: "x")
        }
        let failure = AppFlowFailure(error)
        #expect(failure.code == code && failure.retryable == retried)
    }

    @Test func anSTSThatDoesNotAnswerIsAConnectionErrorRetried() async throws {
        var env = ["AWS_ACCESS_KEY_ID": "AKIDTESTSOURCE", "AWS_SECRET_ACCESS_KEY": "source-secret-not-real-42", "AWS_REGION": "eu-west-1"]
        env["AWS_ENDPOINT_URL_STS"] = "http://127.0.0.1:1"
        env["AWS_CONFIG_FILE"] = "/dev/null"
        env["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null"
        var configuration = try AppFlowClient.Configuration.fromEnvironment(env, region: "eu-west-1")
        configuration.assumeRole(arn: Self.roleA, externalId: nil, sessionName: nil, origin: "--role-arn", environment: env)
        let error = try await #require(throws: CredentialError.self) { try await configuration.credentials.resolve() }
        let failure = CallFailure(error)
        #expect(failure.code == "ConnectionError" && failure.retryable, "\(failure)")
        #expect(failure.message.contains("STS AssumeRole for \(Self.roleA)"))
    }

    /// Three jobs in one file: one as role A, one as role B (which STS refuses), one with the
    /// chain's own credentials. B's call fails with STS's AccessDenied; A's and C's start, each
    /// signed with its own credentials, with the tokens a file without roles would give.
    @Test func crossAccountJobsInOneFileAgainstTheEmulator() async throws {
        try await CredentialFixture.with { f in
            f.services.with { $0.roles[Self.roleA] = .init(externalId: "ext-a-7") }
            let emulator = try await EmulatorServer.start(EmulatorConfiguration(
                flows: ["flow-a", "flow-b", "flow-c"].map { EmulatedFlow(name: $0) },
                // The key STS issues first, and the source keys: nothing else is accepted.
                credentials: ["ASIATESTISSUED1": "issued/secret+&<1>", CredentialFixture.sourceKeyId: CredentialFixture.sourceSecret],
                port: 0, region: "eu-west-1", seed: 7))
            do {
                var env = Self.environment(f)
                env["AWS_ENDPOINT_URL_APPFLOW"] = "http://127.0.0.1:\(emulator.port)"
                let text = """
                    role_arn = "\(Self.roleA)"
                    external_id = "ext-a-7"
                    [[job]]
                    name = "a"
                    flow = "flow-a"
                    every = "1h"
                    [[job]]
                    name = "b"
                    flow = "flow-b"
                    every = "1h"
                    role_arn = "\(Self.roleB)"
                    external_id = ""
                    [[job]]
                    name = "c"
                    flow = "flow-c"
                    every = "1h"
                    role_arn = ""
                    """
                let (loaded, diagnostics) = JobFileLoader.parse(text, fileName: "roles.toml", now: 1_800_000_000)
                let file = try #require(loaded, "\(diagnostics)")
                let logs = RecordingLogHandler()
                let clients = RegionalClients(environment: env, maxConnections: 4, logger: logs.logger)
                let targets = ClientSetup.targets(of: file)
                #expect(targets.count == 3)
                #expect(try clients.prepare(targets: targets) == ["eu-west-1"])
                let setup = await clients.setup(targets: targets)
                #expect(setup.credentialSource != nil && setup.credentialProblem == nil)
                #expect(setup.roles == ["\(Self.roleA) (with an external ID)", Self.roleB])
                #expect(setup.roleProblems.count == 1)
                #expect(setup.roleProblems.first?.contains("STS AssumeRole for \(Self.roleB)") == true)
                #expect(setup.roleProblems.first?.contains("AccessDenied") == true)
                #expect(setup.statusNote?.contains("1 ROLE CANNOT BE ASSUMED") == true)
                #expect(!"\(setup.fields)".contains("ext-a-7"))

                let slot: Int64 = 1_800_003_600
                var failures: [String: CallFailure] = [:]
                for job in file.jobs {
                    do {
                        _ = try await clients.startFlow(target: job.target, flowName: job.flow, clientToken: job.clientToken(slot: slot))
                    } catch {
                        failures[job.name] = CallFailure(error)
                    }
                }
                #expect(Array(failures.keys) == ["b"])
                #expect(failures["b"]?.code == "AccessDenied" && failures["b"]?.retryable == false)
                #expect(failures["b"]?.message.contains("STS AssumeRole for \(Self.roleB)") == true)

                let starts = emulator.requests.filter { $0.operation == "StartFlow" }
                #expect(starts.map(\.flowName) == ["flow-a", "flow-c"])
                #expect(starts.map(\.status) == [200, 200])
                #expect(starts.first { $0.flowName == "flow-a" }?.accessKeyId == "ASIATESTISSUED1", "signed as role A")
                #expect(starts.first { $0.flowName == "flow-c" }?.accessKeyId == CredentialFixture.sourceKeyId, "signed with the chain's keys")
                // Tokens do not depend on roles.
                #expect(starts.map(\.clientToken) == ["a", "c"].map { ClientToken.make(salt: "", job: $0, flow: "flow-" + $0, slot: slot) })
                // A's credentials are cached (one AssumeRole); B was refused once at setup (the roles
                // are assumed together) and once by its start.
                #expect(f.services.with { $0.stsCalls.map { $0["RoleArn"] ?? "" } }.sorted() == [Self.roleA, Self.roleB, Self.roleB])
                await clients.shutdown()
                try await emulator.shutdown()
            } catch {
                try? await emulator.shutdown()
                throw error
            }
        }
    }
}
