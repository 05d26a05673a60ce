import Foundation
import Testing
@testable import AppFlow

/// Web identity end to end against the test server's STS.
@Suite(.timeLimit(.minutes(5))) struct WebIdentityTests {
    static let roleArn = "arn:aws:iam::123456789012:role/appflowd-irsa"

    @Test func environmentWebIdentityAssumesTheRoleUnsigned() async throws {
        try await CredentialFixture.with { f in
            f.services.with { $0.roles[Self.roleArn] = .init(); $0.webIdentityTokens = ["oidc-token-A"] }
            var env = f.environment
            env["AWS_WEB_IDENTITY_TOKEN_FILE"] = f.dir.write("token", "oidc-token-A\n")
            env["AWS_ROLE_ARN"] = Self.roleArn
            env["AWS_ROLE_SESSION_NAME"] = "nightly sync/1"
            let found = try #require(try await WebIdentityCredentialProvider(environment: env).resolve())
            #expect(found.signing.accessKeyId == "ASIATESTISSUED1")
            // The server escaped '&', '<' and '>' in XML; the client must give back the original.
            #expect(found.signing.secretAccessKey == "issued/secret+&<1>")
            #expect(found.signing.sessionToken == "issued-token-1")
            #expect(found.expiration == f.clock.date().addingTimeInterval(3600))
            let call = try #require(f.services.with { $0.stsCalls.last })
            #expect(call["Action"] == "AssumeRoleWithWebIdentity")
            #expect(call["RoleSessionName"] == "nightly sync/1")
            #expect(call["WebIdentityToken"] == "oidc-token-A")
            #expect(call["RoleArn"] == Self.roleArn)
            #expect(f.services.with { $0.stsCallers } == ["web-identity"])
        }
    }

    @Test func tokenFileIsReadAgainOnEveryRefresh() async throws {
        try await CredentialFixture.with { f in
            f.services.with { $0.roles[Self.roleArn] = .init(); $0.webIdentityTokens = ["oidc-token-A"] }
            var env = f.environment
            let tokenFile = f.dir.write("token", "oidc-token-A")
            env["AWS_WEB_IDENTITY_TOKEN_FILE"] = tokenFile
            env["AWS_ROLE_ARN"] = Self.roleArn
            let cache = CredentialCache(provider: WebIdentityCredentialProvider(environment: env), now: { f.clock.date() })
            let first = try await cache.credentials().signing.accessKeyId
            #expect(first == "ASIATESTISSUED1")

            // The platform rotates the token; the old one stops working.
            _ = f.dir.write("token", "oidc-token-B")
            f.services.with { $0.webIdentityTokens = ["oidc-token-B"] }
            f.clock.advance(3600 - 600)  // inside the background margin, outside the blocking one
            let during = try await cache.credentials().signing.accessKeyId
            #expect(during == "ASIATESTISSUED1")
            await cache.waitForRefresh()
            let after = try await cache.credentials().signing.accessKeyId
            #expect(after == "ASIATESTISSUED2")
            #expect(f.services.with { $0.stsCalls.map { $0["WebIdentityToken"] } } == ["oidc-token-A", "oidc-token-B"])
        }
    }

    @Test func rejectedTokenShowsSTSCodeAndMessageButNotTheToken() async throws {
        try await CredentialFixture.with { f in
            f.services.with { $0.roles[Self.roleArn] = .init() }
            var env = f.environment
            env["AWS_WEB_IDENTITY_TOKEN_FILE"] = f.dir.write("token", "oidc-token-secret-value")
            env["AWS_ROLE_ARN"] = Self.roleArn
            let error = try await #require(throws: CredentialError.self) { try await WebIdentityCredentialProvider(environment: env).resolve() }
            #expect(error.description.contains("InvalidIdentityToken"))
            #expect(error.description.contains("Couldn't retrieve verification key"))
            #expect(error.description.contains("HTTP 400"))
            #expect(error.description.contains(Self.roleArn))
            #expect(!error.description.contains("oidc-token-secret-value"))
        }
    }

    @Test func configurationProblems() async throws {
        #expect(try await WebIdentityCredentialProvider(environment: [:]).resolve() == nil)
        #expect(try await WebIdentityCredentialProvider(environment: ["AWS_ROLE_ARN": Self.roleArn]).resolve() == nil)
        let noRole = try await #require(throws: CredentialError.self) {
            try await WebIdentityCredentialProvider(environment: ["AWS_WEB_IDENTITY_TOKEN_FILE": "/tmp/x"]).resolve()
        }
        #expect(noRole.message.contains("AWS_ROLE_ARN"))
        let missing = try await #require(throws: CredentialError.self) {
            try await WebIdentityCredentialProvider(environment: [
                "AWS_WEB_IDENTITY_TOKEN_FILE": "/nonexistent/appflowd/token", "AWS_ROLE_ARN": Self.roleArn,
            ]).resolve()
        }
        #expect(missing.message.contains("/nonexistent/appflowd/token"))
    }

    @Test func profileWebIdentity() async throws {
        try await CredentialFixture.with { f in
            f.services.with { $0.roles[Self.roleArn] = .init(); $0.webIdentityTokens = ["oidc-token-P"] }
            let token = f.dir.write("token", "oidc-token-P")
            _ = f.dir.write("config", """
                [profile eks]
                role_arn = \(Self.roleArn)
                web_identity_token_file = \(token)
                role_session_name = from-profile
                duration_seconds = 1800
                """)
            let found = try #require(try await ProfileCredentialProvider(environment: f.environment, profile: "eks").resolve())
            #expect(found.signing.accessKeyId == "ASIATESTISSUED1")
            #expect(found.expiration == f.clock.date().addingTimeInterval(1800))
            let call = try #require(f.services.with { $0.stsCalls.last })
            #expect(call["RoleSessionName"] == "from-profile")
            #expect(call["DurationSeconds"] == "1800")
        }
    }
}
