import Foundation
import SigV4
import Testing

@Suite(.timeLimit(.minutes(5))) struct SigV4CredentialsTests {
    static let secret = "test-secret-not-real-9f8e7d"
    static let token = "test-session-token-not-real-1a2b3c"

    @Test(arguments: [nil, SigV4CredentialsTests.token])
    func descriptionsNeverContainSecretOrToken(_ token: String?) {
        let credentials = SigV4Credentials(accessKeyId: "AKIDTESTVECTOR", secretAccessKey: Self.secret, sessionToken: token)
        var dumped = ""
        dump(credentials, to: &dumped)
        for text in [credentials.description, "\(credentials)", String(reflecting: credentials), dumped] {
            #expect(text.contains("AKIDTESTVECTOR"))
            #expect(!text.contains(Self.secret))
            #expect(!text.contains(Self.token))
            #expect(!text.contains("not-real"))
        }
    }

    @Test func signedHeadersNeverCarryTheSecret() {
        let credentials = SigV4Credentials(accessKeyId: "AKIDTESTVECTOR", secretAccessKey: Self.secret)
        let signer = SigV4Signer(credentials: credentials, region: "eu-west-1", service: "appflow")
        let request = SigV4Request(method: "POST", path: "/start-flow", headers: [(name: "host", value: "h")], body: [])
        for header in signer.sign(request, date: Date(timeIntervalSince1970: 1_800_000_000)) {
            #expect(!header.value.contains(Self.secret))
        }
    }
}
