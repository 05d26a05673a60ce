import Foundation
import Testing
@testable import AppFlow

/// Profiles with `role_arn`, end to end against the test server's STS, which verifies the
/// SigV4 signature of every AssumeRole call with the SigV4 target's verifier.
@Suite(.timeLimit(.minutes(5))) struct AssumeRoleTests {
    static let roleArn = "arn:aws:iam::123456789012:role/appflowd-runner"
    static let innerArn = "arn:aws:iam::123456789012:role/appflowd-hop"

    static func sourceKeys(_ name: String = "source", secret: String = CredentialFixture.sourceSecret) -> String {
        "[\(name)]\naws_access_key_id = \(CredentialFixture.sourceKeyId)\naws_secret_access_key = \(secret)\n"
    }

    @Test func sourceProfileWithExternalIdDurationAndSessionName() async throws {
        try await CredentialFixture.with { f in
            f.services.with { $0.roles[Self.roleArn] = .init(externalId: "ext-123") }
            _ = f.dir.write("credentials", Self.sourceKeys())
            _ = f.dir.write("config", """
                [profile runner]
                role_arn = \(Self.roleArn)
                source_profile = source
                external_id = ext-123
                duration_seconds = 900
                role_session_name = appflowd-test
                """)
            let found = try #require(try await ProfileCredentialProvider(environment: f.environment, profile: "runner").resolve())
            #expect(found.signing.accessKeyId == "ASIATESTISSUED1")
            #expect(found.signing.secretAccessKey == "issued/secret+&<1>")
            #expect(found.expiration == f.clock.date().addingTimeInterval(900))
            #expect(found.source.contains(Self.roleArn))
            let call = try #require(f.services.with { $0.stsCalls.last })
            #expect(call["Action"] == "AssumeRole")
            #expect(call["ExternalId"] == "ext-123")
            #expect(call["DurationSeconds"] == "900")
            #expect(call["RoleSessionName"] == "appflowd-test")
            #expect(f.services.with { $0.stsCallers } == [CredentialFixture.sourceKeyId])
        }
    }

    @Test func chainedRolesSignWithTheTemporaryCredentialsAndTheirToken() async throws {
        try await CredentialFixture.with { f in
            f.services.with { $0.roles = [Self.roleArn: .init(), Self.innerArn: .init()] }
            _ = f.dir.write("credentials", Self.sourceKeys())
            _ = f.dir.write("config", """
                [profile outer]
                role_arn = \(Self.roleArn)
                source_profile = hop
                [profile hop]
                role_arn = \(Self.innerArn)
                source_profile = source
                """)
            var env = f.environment
            env["AWS_PROFILE"] = "outer"
            let found = try #require(try await CredentialProviderChain.default(environment: env).resolve())
            #expect(found.signing.accessKeyId == "ASIATESTISSUED2")
            // The outer call was signed by the hop role's credentials, whose token the server checked.
            #expect(f.services.with { $0.stsCallers } == [CredentialFixture.sourceKeyId, "ASIATESTISSUED1"])
            #expect(f.services.with { $0.stsCalls.map { $0["RoleArn"] } } == [Self.innerArn, Self.roleArn])
        }
    }

    @Test func credentialSourceEnvironment() async throws {
        try await CredentialFixture.with { f in
            f.services.with { $0.roles[Self.roleArn] = .init() }
            _ = f.dir.write("config", "[default]\nrole_arn = \(Self.roleArn)\ncredential_source = Environment\n")
            var env = f.environment
            env["AWS_ACCESS_KEY_ID"] = CredentialFixture.sourceKeyId
            env["AWS_SECRET_ACCESS_KEY"] = CredentialFixture.sourceSecret
            let found = try #require(try await ProfileCredentialProvider(environment: env).resolve())
            #expect(found.signing.accessKeyId == "ASIATESTISSUED1")
        }
    }

    @Test func wrongSourceSecretIsSignatureDoesNotMatchWithoutTheSecret() async throws {
        try await CredentialFixture.with { f in
            f.services.with { $0.roles[Self.roleArn] = .init() }
            _ = f.dir.write("credentials", Self.sourceKeys(secret: "wrong-secret-not-real-99"))
            _ = f.dir.write("config", "[default]\nrole_arn = \(Self.roleArn)\nsource_profile = source\n")
            let error = try await #require(throws: CredentialError.self) { try await ProfileCredentialProvider(environment: f.environment).resolve() }
            #expect(error.description.contains("SignatureDoesNotMatch"))
            #expect(error.description.contains("HTTP 403"))
            #expect(!error.description.contains("wrong-secret-not-real-99"))
        }
    }

    @Test func externalIdMismatchIsAccessDenied() async throws {
        try await CredentialFixture.with { f in
            f.services.with { $0.roles[Self.roleArn] = .init(externalId: "expected") }
            _ = f.dir.write("credentials", Self.sourceKeys())
            _ = f.dir.write("config", "[default]\nrole_arn = \(Self.roleArn)\nsource_profile = source\n")
            let error = try await #require(throws: CredentialError.self) { try await ProfileCredentialProvider(environment: f.environment).resolve() }
            #expect(error.description.contains("AccessDenied: User: arn:aws:iam::123456789012:user/\(CredentialFixture.sourceKeyId) is not authorized"))
        }
    }

    @Test(arguments: [
        ("[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n", "source_profile loop: a -> b -> a"),
        ("[profile a]\nrole_arn = arn:aws:iam::1:role/a\n", "role_arn needs source_profile or credential_source"),
        ("[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\ncredential_source = Environment\n", "sets both source_profile and credential_source"),
        ("[profile a]\nrole_arn = arn:aws:iam::1:role/a\ncredential_source = Magic\n", "credential_source must be Environment, Ec2InstanceMetadata or EcsContainer"),
        ("[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = missing\n", "source_profile 'missing' is missing or has no credentials"),
        ("[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = a\n", "source_profile names itself but it has no static keys"),
        ("[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\nduration_seconds = 60\n[profile b]\naws_access_key_id = x\naws_secret_access_key = y\n", "duration_seconds must be"),
        ("[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\nmfa_serial = arn:aws:iam::1:mfa/x\n", "mfa_serial"),
        ("[profile a]\ncredential_process = /bin/true\n", "credential_process"),
    ])
    func misconfiguredProfilesSayWhat(config: String, expected: String) async throws {
        try await CredentialFixture.with { f in
            _ = f.dir.write("config", config)
            let error = try await #require(throws: CredentialError.self) {
                try await ProfileCredentialProvider(environment: f.environment, profile: "a").resolve()
            }
            #expect(error.description.contains(expected), "\(error)")
            #expect(f.services.with { $0.stsCalls.isEmpty })
        }
    }

    @Test(arguments: [
        ([:], "eu-west-1", "https://sts.eu-west-1.amazonaws.com", "eu-west-1"),
        ([:], "cn-north-1", "https://sts.cn-north-1.amazonaws.com.cn", "cn-north-1"),
        ([:], nil, "https://sts.amazonaws.com", "us-east-1"),
        (["AWS_USE_FIPS_ENDPOINT": "true"], "us-east-2", "https://sts-fips.us-east-2.amazonaws.com", "us-east-2"),
        (["AWS_ENDPOINT_URL_STS": "http://127.0.0.1:4566", "AWS_ENDPOINT_URL": "http://other:1"], "eu-west-1", "http://127.0.0.1:4566", "eu-west-1"),
        (["AWS_ENDPOINT_URL": "https://local.test:8443"], "eu-west-1", "https://local.test:8443", "eu-west-1"),
        (["AWS_ENDPOINT_URL_STS": "http://127.0.0.1:4566", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"], "eu-west-1", "https://sts.eu-west-1.amazonaws.com", "eu-west-1"),
    ] as [([String: String], String?, String, String)])
    func stsEndpoint(environment: [String: String], region: String?, url: String, signingRegion: String) throws {
        let sts = try STSClient.forEnvironment(environment, region: region)
        #expect(sts.endpoint.description == url)
        #expect(sts.signingRegion == signingRegion)
    }

    @Test func formEncodingMatchesRFC3986() {
        // Written out by hand from RFC 3986's unreserved set: everything else is %XX, uppercase.
        let encoded = STSClient.formEncode([("RoleArn", "arn:aws:iam::1:role/a b"), ("RoleSessionName", "x~y_z.-+&=é")])
        #expect(encoded == "RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fa%20b&RoleSessionName=x~y_z.-%2B%26%3D%C3%A9")
    }
}
