import Foundation
import Testing
import TestSupport

/// Issue 17: what `check`, `status`, `next` and the daemon's start-up tell an operator, against
/// the real binaries.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct OperatorTruthTests {
    /// No region, no credentials, no profile: nothing inherited from the machine.
    static func bareEnvironment(_ dir: String) -> [String: String] {
        ["HOME": dir, "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_EC2_METADATA_DISABLED": "true"]
    }

    @Test func checkRefusesWhatRunRefusesAndAcceptsWhatItAccepts() async throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = dir + "/jobs.toml"
        writeFile(config, "[[job]]\nname = \"accounts\"\nflow = \"accounts\"\nevery = \"1h\"\n[[job]]\nflow = \"orders\"\nevery = \"1h\"\n")
        let env = Self.bareEnvironment(dir)
        let check = try await Binaries.run("appflowd", ["check", "--config", config], environment: env)
        #expect(check.status == 1)
        #expect(check.stderr.contains("\(config):1:1: error: job 'accounts' (and 1 more job): no AWS region: set `region` in the job file"), "\(check.stderr)")
        #expect(!check.stderr.contains("--region"), "run and check have no --region option")
        let run = try await Binaries.run("appflowd", ["run", "--config", config, "--state-dir", dir + "/state"], environment: env)
        #expect(run.status == 1)
        #expect(run.stderr.contains("no AWS region: set `region` in the job file"), "\(run.stderr)")

        var withRegion = env
        withRegion["AWS_REGION"] = "eu-west-1"
        #expect(try await Binaries.run("appflowd", ["check", "--config", config], environment: withRegion).stdout == "OK: 2 jobs\n")

        // A disabled job needs no region.
        writeFile(config, "[[job]]\nflow = \"accounts\"\nevery = \"1h\"\nenabled = false\n")
        let disabled = try await Binaries.run("appflowd", ["check", "--config", config], environment: env)
        #expect(disabled.status == 0 && disabled.stdout == "OK: 1 job\n", "\(disabled.stderr)")
    }

    @Test func checkWarnsAboutTrapsAndStillSaysOK() async throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = dir + "/jobs.toml"
        writeFile(config, "region = \"frankfurt\"\ntimezone = \"EST\"\n[[job]]\nflow = \"accounts\"\ncron = \"0 2 * * *\"\n")
        let check = try await Binaries.run("appflowd", ["check", "--config", config], environment: Self.bareEnvironment(dir))
        #expect(check.status == 0 && check.stdout == "OK: 1 job\n")
        #expect(check.stderr.contains(":1:10: warning: 'frankfurt' is not a known AWS region"))
        #expect(check.stderr.contains(":2:12: warning: 'EST' is UTC-05:00 all year"))
    }

    @Test(.enabled(if: getuid() == 0, "needs root to run a command as another user"))
    func statusWithoutTheRightsToReadTheStateIsAnError() async throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = dir + "/jobs.toml"
        writeFile(config, "region = \"eu-west-1\"\n[[job]]\nflow = \"accounts\"\nevery = \"1h\"\n")
        let state = dir + "/state"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: config)
        let output = try await Binaries.run("/usr/bin/setpriv", [
            "--reuid=65534", "--regid=65534", "--clear-groups", Binaries.path("appflowd"), "status", "--config", config, "--state-dir", state,
        ], environment: [:], absolute: true)
        #expect(output.status == 1, "\(output.stdout)")
        #expect(output.stderr.contains("cannot read the state directory \(state): permission denied: run as root or with sudo"), "\(output.stderr)")
        #expect(!output.stdout.contains("never run"))
    }

    @Test func theDaemonSaysWhatItUsesAndStatusAndNextSayWhetherItRuns() async throws {
        let emulator = try await EmulatorProcess(["--flow", "accounts"])
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = dir + "/jobs.toml"
        let state = dir + "/state"
        writeFile(config, "[[job]]\nflow = \"accounts\"\nevery = \"1h\"\n")
        let daemon = try DaemonProcess(config: config, stateDir: state, environment: emulator.clientEnvironment())
        try await eventually("the daemon to be ready", log: daemon.log) { daemon.log.contains(" ready ") }
        let using = try #require(daemon.log.split(separator: "\n").first { $0.contains(" notice using ") })
        #expect(using.contains("version=") && using.contains("config=\(config)") && using.contains("state_dir=\(state)"), "\(using)")
        #expect(using.contains("endpoints=\"eu-west-1=\(emulator.url)\"") && using.contains("endpoint_source=AWS_ENDPOINT_URL_APPFLOW"), "\(using)")
        #expect(using.contains("credentials=environment "), "\(using)")
        #expect(!daemon.log.contains(EmulatorProcess.secret))
        let ready = try #require(daemon.log.split(separator: "\n").first { $0.contains(" ready ") })
        #expect(ready.contains("| credentials: environment\""), "\(ready)")

        let args = ["--config", config, "--state-dir", state]
        let running = try await Binaries.run("appflowd", ["status"] + args, environment: [:])
        #expect(running.status == 0 && !running.stderr.contains("not running"), "\(running.stderr)")
        #expect(!(try await Binaries.run("appflowd", ["next"] + args, environment: [:])).stderr.contains("not running"))

        daemon.signal(SIGTERM)
        #expect(await daemon.exitStatus(within: .seconds(30)) == 0)
        let stopped = try await Binaries.run("appflowd", ["status"] + args, environment: [:])
        #expect(stopped.status == 0)
        #expect(stopped.stderr.contains("appflowd is not running (no process holds \(state)/ledger.lock)"), "\(stopped.stderr)")
        let next = try await Binaries.run("appflowd", ["next"] + args, environment: [:])
        #expect(next.stderr.contains("appflowd is not running"), "\(next.stderr)")
        #expect(next.stdout.contains("accounts"))
    }

    @Test func aDaemonWithoutCredentialsSaysEveryStartWillFail() async throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = dir + "/jobs.toml"
        writeFile(config, "region = \"eu-west-1\"\n[[job]]\nflow = \"accounts\"\nevery = \"1h\"\n")
        let daemon = try DaemonProcess(config: config, stateDir: dir + "/state", environment: Self.bareEnvironment(dir))
        try await eventually("the daemon to be ready", log: daemon.log) { daemon.log.contains(" ready ") }
        #expect(daemon.log.contains(" error no usable AWS credentials: every start will fail "), "\(daemon.log)")
        let ready = try #require(daemon.log.split(separator: "\n").first { $0.contains(" ready ") })
        #expect(ready.contains("NO USABLE AWS CREDENTIALS: every start will fail"), "\(ready)")
        daemon.signal(SIGTERM)
        #expect(await daemon.exitStatus(within: .seconds(30)) == 0)
    }
}
