import Foundation
import Testing
@testable import AppFlow

/// The container endpoint end to end against the test server.
@Suite(.timeLimit(.minutes(5))) struct ContainerCredentialTests {
    @Test func fullURIWithAuthorizationTokenFileReadEachTime() async throws {
        try await CredentialFixture.with { f in
            f.services.with { $0.containerAuthorization = "container-auth-1" }
            var env = f.environment
            env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = f.server.baseURL + "/container/v1/credentials"
            env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = f.dir.write("auth", "container-auth-1\n")
            env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "ignored-when-a-file-is-set"
            let provider = ContainerCredentialProvider(environment: env)
            let found = try #require(try await provider.resolve())
            #expect(found.signing.accessKeyId == "ASIATESTISSUED1")
            #expect(found.signing.secretAccessKey == "issued/secret+&<1>")
            #expect(found.signing.sessionToken == "issued-token-1")
            #expect(found.expiration == f.clock.date().addingTimeInterval(3600))

            // Rotated on disk and on the server: the next call sends the new one.
            _ = f.dir.write("auth", "container-auth-2")
            f.services.with { $0.containerAuthorization = "container-auth-2" }
            let again = try #require(try await provider.resolve())
            #expect(again.signing.accessKeyId == "ASIATESTISSUED2")
            #expect(f.services.with { $0.containerAuthorizationsSeen } == ["container-auth-1", "container-auth-2"])
        }
    }

    @Test func refusedAuthorizationShowsCodeNotToken() async throws {
        try await CredentialFixture.with { f in
            f.services.with { $0.containerAuthorization = "right-token" }
            var env = f.environment
            env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = f.server.baseURL + "/container/creds"
            env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "wrong-token-value"
            let error = try await #require(throws: CredentialError.self) { try await ContainerCredentialProvider(environment: env).resolve() }
            #expect(error.description.contains("AccessDenied"))
            #expect(error.description.contains("HTTP 401"))
            #expect(!error.description.contains("wrong-token-value"))
            #expect(!error.description.contains("right-token"))
        }
    }

    @Test func relativeURIAndARetriedServerError() async throws {
        try await CredentialFixture.with { f in
            f.services.with { $0.containerFailures = 1 }
            var env = f.environment
            env["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/container/v2/credentials/task-id"
            let provider = ContainerCredentialProvider(environment: env, relativeBase: f.server.baseURL)
            #expect(try provider.url() == f.server.baseURL + "/container/v2/credentials/task-id")
            #expect(try ContainerCredentialProvider(environment: env).url() == "http://169.254.170.2/container/v2/credentials/task-id")
            let found = try #require(try await provider.resolve())
            #expect(found.signing.accessKeyId == "ASIATESTISSUED1")
            #expect(f.services.with { $0.containerAuthorizationsSeen.count } == 2)
        }
    }

    @Test(arguments: [
        ("http://127.0.0.1:8080/creds", true), ("http://127.5.6.7/creds", true), ("http://localhost/creds", true),
        ("http://[::1]:80/creds", true), ("http://169.254.170.2/v1", true), ("http://169.254.170.23/v1/credentials", true),
        ("http://[fd00:ec2::23]/v1", true), ("https://creds.example.com/v1", true),
        ("http://creds.example.com/v1", false), ("http://10.0.0.5/creds", false), ("http://169.254.169.254/latest", false),
        ("http://127.0.0.1.example.com/x", false), ("ftp://127.0.0.1/x", false),
    ])
    func fullURIHostRules(uri: String, allowed: Bool) {
        let provider = ContainerCredentialProvider(environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": uri])
        if allowed {
            #expect((try? provider.url()) == uri)
        } else {
            #expect(throws: CredentialError.self) { try provider.url() }
        }
    }

    @Test func notConfiguredAndUnreachable() async throws {
        #expect(try await ContainerCredentialProvider(environment: [:]).resolve() == nil)
        let port = try await CredentialTestServer.closedPort()
        let error = try await #require(throws: CredentialError.self) {
            try await ContainerCredentialProvider(
                environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:\(port)/creds"],
                http: CredentialHTTPClient(connectTimeout: .milliseconds(200), requestTimeout: .seconds(1))
            ).resolve()
        }
        #expect(error.description.contains("127.0.0.1:\(port)"))
    }
}
