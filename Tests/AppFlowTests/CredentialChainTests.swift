import Foundation
import Testing
@testable import AppFlow

/// The default chain with every source, against the test server.
@Suite(.timeLimit(.minutes(5))) struct CredentialChainTests {
    @Test func nothingFoundListsEveryPlaceTried() async throws {
        let port = try await CredentialTestServer.closedPort()
        let home = NSTemporaryDirectory() + "appflowd-empty-" + UUID().uuidString
        let env = ["HOME": home, "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:\(port)"]
        let error = try await #require(throws: CredentialError.self) { try await CredentialProviderChain.default(environment: env).require() }
        let text = error.description
        for place in [
            "environment variables (AWS_ACCESS_KEY_ID)",
            "systemd credential $CREDENTIALS_DIRECTORY/aws",
            "web identity (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN)",
            "shared credentials and config files",
            "container endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI)",
            "EC2 instance metadata (IMDSv2) at http://127.0.0.1:\(port)",
        ] {
            #expect(text.contains(place), "missing \(place) in \(text)")
        }
        var off = env
        off["AWS_EC2_METADATA_DISABLED"] = "true"
        let offError = try await #require(throws: CredentialError.self) { try await CredentialProviderChain.default(environment: off).require() }
        #expect(offError.description.contains("EC2 instance metadata (off: AWS_EC2_METADATA_DISABLED)"))
    }

    @Test func orderFollowsTheSDKs() async throws {
        try await CredentialFixture.with { f in
            let roleArn = "arn:aws:iam::123456789012:role/appflowd-irsa"
            f.services.with { $0.roles[roleArn] = .init(); $0.webIdentityTokens = ["oidc"] }
            _ = f.dir.write("credentials", "[default]\naws_access_key_id = AKIDTESTPROFILE\naws_secret_access_key = profile-secret\n")
            var env = f.environment
            env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = f.server.baseURL + "/container/creds"
            env["AWS_WEB_IDENTITY_TOKEN_FILE"] = f.dir.write("token", "oidc")
            env["AWS_ROLE_ARN"] = roleArn

            // Web identity comes before the profile.
            let web = try await CredentialProviderChain.default(environment: env).require()
            #expect(web.source == "web identity role \(roleArn)")
            // Without it, the profile before the container endpoint.
            env["AWS_WEB_IDENTITY_TOKEN_FILE"] = nil
            let profile = try await CredentialProviderChain.default(environment: env).require()
            #expect(profile.signing.accessKeyId == "AKIDTESTPROFILE")
            // Without the profile, the container endpoint before instance metadata.
            env["AWS_SHARED_CREDENTIALS_FILE"] = f.dir.path + "/none"
            let container = try await CredentialProviderChain.default(environment: env).require()
            #expect(container.source.hasPrefix("container endpoint"))
            // Last, instance metadata.
            env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = nil
            let instance = try await CredentialProviderChain.default(environment: env).require()
            #expect(instance.source == "EC2 instance role appflowd-instance-role")
            #expect(!f.services.with { $0.imdsRequests.isEmpty })
        }
    }

    @Test func aBrokenSourceStopsTheChainWithItsError() async throws {
        try await CredentialFixture.with { f in
            var env = f.environment
            env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://metadata.example.com/creds"
            let error = try await #require(throws: CredentialError.self) { try await CredentialProviderChain.default(environment: env).require() }
            #expect(error.description.contains("not allowed over http"))
            #expect(f.services.with { $0.imdsRequests.isEmpty })
        }
    }
}
