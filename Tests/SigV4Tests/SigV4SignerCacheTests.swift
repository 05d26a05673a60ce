import Foundation
import SigV4
import Testing

@Suite(.timeLimit(.minutes(5))) struct SigV4SignerCacheTests {
    /// The cached signing key follows the date: signing across midnight and back gives
    /// the same keys as a fresh derivation each time.
    @Test func signingKeyFollowsTheDate() {
        let credentials = SigV4Credentials(accessKeyId: "AKIDTESTVECTOR", secretAccessKey: "test-secret-not-real")
        let signer = SigV4Signer(credentials: credentials, region: "eu-west-1", service: "appflow")
        let request = SigV4Request(method: "POST", path: "/start-flow", headers: [(name: "host", value: "h")], body: [])
        let midnight = 1_764_028_800.0  // 2025-11-25T00:00:00Z
        for offset in [-1.0, 0, -1, 86_400, 0, 5] {
            let date = Date(timeIntervalSince1970: midnight + offset)
            let steps = signer.steps(request, date: date)
            let fresh = SigV4Algorithm.signingKey(
                secretAccessKey: "test-secret-not-real", dateStamp: steps.timestamp.dateStamp,
                region: "eu-west-1", service: "appflow"
            )
            #expect(steps.signingKeyHex == SigV4Algorithm.hex(fresh))
            #expect(steps.signature == SigV4Algorithm.signature(signingKey: fresh, stringToSign: steps.stringToSign))
        }
    }
}
