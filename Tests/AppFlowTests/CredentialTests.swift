import Foundation
import Testing
@testable import AppFlow

/// Each source with temporary files and environments. Keys are obviously fake.
@Suite(.timeLimit(.minutes(5))) struct CredentialTests {
    static let secret = "test-secret-not-real-0123"

    final class TempDir {
        let path: String
        init() {
            path = NSTemporaryDirectory() + "appflowd-cred-" + UUID().uuidString
            try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        func write(_ name: String, _ text: String) -> String {
            let file = path + "/" + name
            _ = FileManager.default.createFile(atPath: file, contents: Data(text.utf8))
            return file
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    @Test func environmentVariables() throws {
        let found = try EnvironmentCredentialProvider(environment: [
            "AWS_ACCESS_KEY_ID": "AKIDTESTENV", "AWS_SECRET_ACCESS_KEY": Self.secret, "AWS_SESSION_TOKEN": "tok",
        ]).resolve()
        #expect(found?.signing.accessKeyId == "AKIDTESTENV")
        #expect(found?.signing.secretAccessKey == Self.secret)
        #expect(found?.signing.sessionToken == "tok")
        #expect(try EnvironmentCredentialProvider(environment: [:]).resolve() == nil)
    }

    @Test func partialEnvironmentIsAnErrorWithoutTheSecret() {
        do {
            _ = try EnvironmentCredentialProvider(environment: ["AWS_SECRET_ACCESS_KEY": Self.secret]).resolve()
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("AWS_ACCESS_KEY_ID"))
            #expect(!"\(error)".contains(Self.secret))
        }
    }

    @Test func systemdCredential() throws {
        let dir = TempDir()
        _ = dir.write("aws", "[default]\naws_access_key_id = AKIDTESTSYSTEMD\naws_secret_access_key = \(Self.secret)\n")
        let found = try SystemdCredentialProvider(environment: ["CREDENTIALS_DIRECTORY": dir.path]).resolve()
        #expect(found?.signing.accessKeyId == "AKIDTESTSYSTEMD")
        #expect(found?.source.contains("systemd credential") == true)
    }

    @Test func systemdCredentialAbsentMeansNotConfigured() throws {
        let dir = TempDir()
        #expect(try SystemdCredentialProvider(environment: ["CREDENTIALS_DIRECTORY": dir.path]).resolve() == nil)
        #expect(try SystemdCredentialProvider(environment: [:]).resolve() == nil)
    }

    @Test func malformedSystemdCredentialNamesTheSourceNotTheSecret() {
        let dir = TempDir()
        _ = dir.write("aws", "[default]\naws_access_key_id = AKIDTESTSYSTEMD\n\(Self.secret)\n")
        do {
            _ = try SystemdCredentialProvider(environment: ["CREDENTIALS_DIRECTORY": dir.path]).resolve()
            Issue.record("expected an error")
        } catch {
            let text = "\(error)"
            #expect(text.contains("\(dir.path)/aws:3"))
            #expect(!text.contains(Self.secret))
        }
    }

    @Test func profileFromCredentialsAndConfigFiles() throws {
        let dir = TempDir()
        let credentials = dir.write("credentials", """
            # comment
            [default]
            aws_access_key_id = AKIDTESTDEFAULT
            aws_secret_access_key = \(Self.secret)

            [ops]
            aws_access_key_id=AKIDTESTOPS
            aws_secret_access_key=\(Self.secret)
            aws_session_token = session-token-test
            """)
        let config = dir.write("config", """
            [default]
            region = eu-central-1
            [profile ops]
            region = eu-west-1
            s3 =
              max_concurrent_requests = 4
            [profile config-only]
            aws_access_key_id = AKIDTESTCONFIG
            aws_secret_access_key = \(Self.secret)
            """)
        let base = ["AWS_SHARED_CREDENTIALS_FILE": credentials, "AWS_CONFIG_FILE": config, "HOME": dir.path]

        let defaultProfile = try ProfileCredentialProvider(environment: base).resolve()
        #expect(defaultProfile?.signing.accessKeyId == "AKIDTESTDEFAULT")

        var ops = base
        ops["AWS_PROFILE"] = "ops"
        let opsCredentials = try ProfileCredentialProvider(environment: ops).resolve()
        #expect(opsCredentials?.signing.accessKeyId == "AKIDTESTOPS")
        #expect(opsCredentials?.signing.sessionToken == "session-token-test")
        let shared = try SharedConfiguration(environment: ops)
        #expect(shared.region == "eu-west-1")
        #expect(shared.configProfile?["s3.max_concurrent_requests"] == "4")

        let configOnly = try ProfileCredentialProvider(environment: base, profile: "config-only").resolve()
        #expect(configOnly?.signing.accessKeyId == "AKIDTESTCONFIG")
    }

    @Test func missingExplicitProfileIsAnError() {
        let dir = TempDir()
        let env = ["AWS_SHARED_CREDENTIALS_FILE": dir.path + "/none", "AWS_CONFIG_FILE": dir.path + "/none2", "AWS_PROFILE": "nope"]
        #expect(throws: CredentialError.self) { try ProfileCredentialProvider(environment: env).resolve() }
        var implicit = env
        implicit["AWS_PROFILE"] = nil
        #expect((try? ProfileCredentialProvider(environment: implicit).resolve()) == .some(nil))
    }

    @Test func chainOrderAndNothingFoundListsEverySource() async throws {
        let dir = TempDir()
        _ = dir.write("aws", "[default]\naws_access_key_id = AKIDTESTSYSTEMD\naws_secret_access_key = \(Self.secret)\n")
        let env = [
            "AWS_ACCESS_KEY_ID": "AKIDTESTENV", "AWS_SECRET_ACCESS_KEY": Self.secret,
            "CREDENTIALS_DIRECTORY": dir.path, "HOME": dir.path, "AWS_EC2_METADATA_DISABLED": "true",
        ]
        let first = try await CredentialProviderChain.default(environment: env).require()
        #expect(first.signing.accessKeyId == "AKIDTESTENV")
        var noEnv = env
        noEnv["AWS_ACCESS_KEY_ID"] = nil
        noEnv["AWS_SECRET_ACCESS_KEY"] = nil
        let second = try await CredentialProviderChain.default(environment: noEnv).require()
        #expect(second.signing.accessKeyId == "AKIDTESTSYSTEMD")

        let empty = TempDir()
        do {
            _ = try await CredentialProviderChain.default(environment: ["HOME": empty.path, "AWS_EC2_METADATA_DISABLED": "true"]).require()
            Issue.record("expected an error")
        } catch {
            let text = "\(error)"
            #expect(text.contains("environment variables"))
            #expect(text.contains("systemd credential"))
            #expect(text.contains("shared credentials and config files"))
        }
    }

    @Test func descriptionsNeverShowTheSecret() throws {
        let found = try EnvironmentCredentialProvider(environment: [
            "AWS_ACCESS_KEY_ID": "AKIDTESTENV", "AWS_SECRET_ACCESS_KEY": Self.secret, "AWS_SESSION_TOKEN": "session-token-test",
        ]).resolve()
        let text = "\(String(describing: found))"
        #expect(!text.contains(Self.secret))
        #expect(!text.contains("session-token-test"))
    }
}

extension AWSCredentials: Equatable {
    public static func == (lhs: AWSCredentials, rhs: AWSCredentials) -> Bool {
        lhs.signing.accessKeyId == rhs.signing.accessKeyId && lhs.source == rhs.source
    }
}
