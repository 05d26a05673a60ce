import Foundation
import Testing
import TestSupport

/// `appflowd check --aws` against `appflow-emulator`, both real binaries: DescribeFlow for every
/// enabled job's flow, the table, the JSON, the exit status; and nothing sent without `--aws`.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct CheckAWSTests {
    static let jobs = """
        region = "eu-west-1"
        [[job]]
        name = "accounts"
        flow = "accounts"
        every = "1h"
        [[job]]
        name = "nightly"
        flow = "nightly"
        every = "1h"
        [[job]]
        name = "nightly-too"
        flow = "nightly"
        every = "2h"
        [[job]]
        name = "stuck"
        flow = "stuck"
        every = "1h"
        [[job]]
        name = "gone"
        flow = "gone"
        every = "1h"
        [[job]]
        name = "off"
        flow = "off"
        every = "1h"
        enabled = false
        """

    static let flows = ["--flow", "accounts", "--flow", "nightly:scheduled:draft", "--flow", "stuck:ondemand:suspended"]

    func configFile(_ text: String) -> (dir: String, path: String) {
        let dir = makeTemporaryDirectory()
        writeFile(dir + "/jobs.toml", text)
        return (dir, dir + "/jobs.toml")
    }

    @Test func reportsEveryEnabledJobAndFailsOnErrors() async throws {
        let emulator = try await EmulatorProcess(Self.flows)
        let (dir, config) = configFile(Self.jobs)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let output = try await Binaries.run("appflowd", ["check", "--config", config, "--aws"], environment: emulator.clientEnvironment())
        #expect(output.status == 1, "\(output.stderr)")
        let lines = output.stdout.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        }
        #expect(lines[0] == "JOB FLOW REGION TRIGGER STATUS VERDICT")
        #expect(lines[1] == "accounts accounts eu-west-1 OnDemand Active ok: starts a run")
        #expect(lines[2] == "nightly nightly eu-west-1 Scheduled Draft warning: Scheduled flow, Draft: StartFlow activates it, no run")
        #expect(lines[3] == "nightly-too nightly eu-west-1 Scheduled Draft warning: Scheduled flow, Draft: StartFlow activates it, no run")
        #expect(lines[4].hasPrefix("stuck stuck eu-west-1 OnDemand Suspended error: Suspended: StartFlow fails"))
        #expect(lines[5] == "gone gone eu-west-1 - - error: flow not found")
        #expect(lines[7] == "FAILED: 6 jobs; AWS: 1 ok, 2 warnings, 2 errors, 1 disabled, not asked")
        // One DescribeFlow per flow and region, none for the disabled job, no StartFlow.
        let asked = emulator.requests().map { "\($0["operation"] as? String ?? "?") \($0["flowName"] as? String ?? "?")" }
        #expect(asked.sorted() == ["DescribeFlow accounts", "DescribeFlow gone", "DescribeFlow nightly", "DescribeFlow stuck"])
    }

    @Test func jsonForScripts() async throws {
        let emulator = try await EmulatorProcess(Self.flows)
        let (dir, config) = configFile(Self.jobs)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let output = try await Binaries.run("appflowd", ["check", "--config", config, "--aws", "--json"], environment: emulator.clientEnvironment())
        #expect(output.status == 1, "\(output.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]])
        #expect(json.map { $0["job"] as? String } == ["accounts", "nightly", "nightly-too", "stuck", "gone"])
        #expect(json.map { $0["severity"] as? String } == ["ok", "warning", "warning", "error", "error"])
        #expect(json[0]["flowArn"] as? String == "arn:aws:appflow:us-east-1:123456789012:flow/accounts")
        #expect(json[1]["triggerType"] as? String == "Scheduled" && json[1]["flowStatus"] as? String == "Draft")
        #expect(json[4]["errorCode"] as? String == "ResourceNotFoundException")
    }

    @Test func warningsAloneExitZero() async throws {
        let emulator = try await EmulatorProcess(["--flow", "accounts", "--flow", "nightly:event"])
        let (dir, config) = configFile("""
            region = "eu-west-1"
            [[job]]
            flow = "accounts"
            every = "1h"
            [[job]]
            flow = "nightly"
            every = "1h"
            """)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let output = try await Binaries.run("appflowd", ["check", "--config", config, "--aws", "--no-legend"], environment: emulator.clientEnvironment())
        #expect(output.status == 0, "\(output.stderr)")
        let lines = output.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[1].hasSuffix("warning: Event flow, Suspended: StartFlow activates it, no run"))
        #expect(lines[2] == "OK: 2 jobs; AWS: 1 ok, 1 warning")
    }

    @Test func accessDeniedNamesTheMissingPermission() async throws {
        let emulator = try await EmulatorProcess(["--flow", "accounts", "--deny", "DescribeFlow"])
        let (dir, config) = configFile("region = \"eu-west-1\"\n[[job]]\nflow = \"accounts\"\nevery = \"1h\"\n")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let output = try await Binaries.run("appflowd", ["check", "--config", config, "--aws", "--json"], environment: emulator.clientEnvironment())
        #expect(output.status == 1, "\(output.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]])
        #expect(json.first?["errorCode"] as? String == "AccessDeniedException")
        #expect(json.first?["missingPermission"] as? String == "appflow:DescribeFlow")
        #expect(json.first?["verdict"] as? String == "access denied: needs appflow:DescribeFlow")
        #expect(emulator.requests().count == 1, "access denied is not retried")
    }

    @Test func withoutAWSNothingLeavesTheMachine() async throws {
        let emulator = try await EmulatorProcess(Self.flows)
        let (dir, config) = configFile(Self.jobs)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let output = try await Binaries.run("appflowd", ["check", "--config", config], environment: emulator.clientEnvironment())
        #expect(output.status == 0 && output.stdout == "OK: 6 jobs\n", "\(output.stderr)")
        // A request that did reach the emulator would be in its record by now: the command has
        // exited, and the record is written before any answer.
        #expect(emulator.requests().isEmpty)
        let misuse = try await Binaries.run("appflowd", ["check", "--config", config, "--json"], environment: emulator.clientEnvironment())
        #expect(misuse.status == 64)
    }

    @Test func withoutCredentialsOneLineAndNoCall() async throws {
        let emulator = try await EmulatorProcess(Self.flows)
        let (dir, config) = configFile(Self.jobs)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var env = emulator.clientEnvironment()
        env["AWS_ACCESS_KEY_ID"] = nil
        env["AWS_SECRET_ACCESS_KEY"] = nil
        env["AWS_EC2_METADATA_DISABLED"] = "true"
        let output = try await Binaries.run("appflowd", ["check", "--config", config, "--aws"], environment: env)
        #expect(output.status == 1)
        #expect(output.stdout.isEmpty)
        #expect(output.stderr.hasPrefix("appflowd check: no usable AWS credentials: "), "\(output.stderr)")
        #expect(output.stderr.split(separator: "\n").count == 1, "\(output.stderr)")
        #expect(emulator.requests().isEmpty)
    }

    @Test func aBadFileIsRefusedBeforeAnyCall() async throws {
        let emulator = try await EmulatorProcess(Self.flows)
        let (dir, config) = configFile("region = \"eu-west-1\"\n[[job]]\nflow = \"accounts\"\n")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let output = try await Binaries.run("appflowd", ["check", "--config", config, "--aws"], environment: emulator.clientEnvironment())
        #expect(output.status == 1)
        #expect(output.stderr.contains("\(config):2:"), "\(output.stderr)")
        #expect(emulator.requests().isEmpty)
    }
}
