import Foundation
import Testing
@testable import Scheduling

struct TokenCase: Sendable, CustomStringConvertible {
    var salt: String, job: String, flow: String, slot: Int64, jitterMs: Int64
    var description: String { "\(salt)|\(job)|\(flow)|\(slot)|\(jitterMs)" }
}

let tokenCases: [TokenCase] = [
    .init(salt: "", job: "accounts-nightly", flow: "salesforce-accounts", slot: 1_795_654_800, jitterMs: 30_000),
    .init(salt: "v2", job: "accounts-nightly", flow: "salesforce-accounts", slot: 1_795_654_800, jitterMs: 30_000),
    .init(salt: "", job: "j", flow: "f", slot: 0, jitterMs: 1),
    .init(salt: "", job: "j", flow: "f", slot: -1, jitterMs: 1000),
    .init(salt: "sälz ✓", job: "ünïcode", flow: "flow@x.y#1!", slot: 253_402_300_799, jitterMs: 86_400_000),
    .init(salt: "s", job: "hourly", flow: "f", slot: 1_764_000_000, jitterMs: 0),
    .init(salt: "s", job: "hourly", flow: "f", slot: 1_764_003_600, jitterMs: 7),
]

/// SPEC section 3, computed independently by Python's hashlib:
/// token = "appflowd-" + sha256(salt\njob\nflow\nslot)[:32 hex];
/// jitter = int.from_bytes(sha256("jitter\n"+token)[:8], "big") % ms.
let oracle = """
import hashlib, json, sys
out = []
for c in json.load(sys.stdin):
    t = "appflowd-" + hashlib.sha256(f"{c['salt']}\\n{c['job']}\\n{c['flow']}\\n{c['slot']}".encode()).hexdigest()[:32]
    j = int.from_bytes(hashlib.sha256(("jitter\\n" + t).encode()).digest()[:8], "big") % c['ms'] if c['ms'] > 0 else 0
    out.append([t, j])
json.dump(out, sys.stdout)
"""

@Test(.timeLimit(.minutes(5))) func tokensAndJitterMatchPython() async throws {
    let request = tokenCases.map { ["salt": $0.salt, "job": $0.job, "flow": $0.flow, "slot": $0.slot, "ms": $0.jitterMs] as [String: Any] }
    let body = String(decoding: try JSONSerialization.data(withJSONObject: request), as: UTF8.self)
    guard let output = try await TestTime.run(["python3", "-c", oracle], stdin: body) else {
        Issue.record("python3 is needed for the token oracle")
        return
    }
    let answers = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[Any]])
    try #require(answers.count == tokenCases.count)
    for (c, answer) in zip(tokenCases, answers) {
        let token = ClientToken.make(salt: c.salt, job: c.job, flow: c.flow, slot: c.slot)
        #expect(token == answer[0] as? String, "\(c)")
        #expect(Jitter.offsetMilliseconds(token: token, jitterMilliseconds: c.jitterMs) == (answer[1] as? NSNumber)?.int64Value, "\(c)")
    }
}

/// Pasted from: python3 -c 'import hashlib; t="appflowd-"+hashlib.sha256(b"\naccounts-nightly\nsalesforce-accounts\n1795654800").hexdigest()[:32]; print(t, int.from_bytes(hashlib.sha256(("jitter\n"+t).encode()).digest()[:8],"big")%30000)'
@Test(.timeLimit(.minutes(5))) func tokenGoldenValue() {
    let token = ClientToken.make(salt: "", job: "accounts-nightly", flow: "salesforce-accounts", slot: 1_795_654_800)
    #expect(token == "appflowd-7c5c25bedc920eba5d32b597da14b845")
    #expect(Jitter.offsetMilliseconds(token: token, jitterMilliseconds: 30_000) == 8298)
}

@Test(.timeLimit(.minutes(5))) func tokenShapeAndJitterBounds() {
    for slot in stride(from: Int64(0), to: 100_000, by: 997) {
        let token = ClientToken.make(salt: "", job: "j", flow: "f", slot: slot)
        #expect(token.count == 9 + 32 && token.hasPrefix("appflowd-"))
        #expect(token.dropFirst(9).allSatisfy { "0123456789abcdef".contains($0) })
        let j = Jitter.offsetMilliseconds(token: token, jitterMilliseconds: 1500)
        #expect(j >= 0 && j < 1500)
    }
    #expect(Jitter.offsetMilliseconds(token: "x", jitterMilliseconds: 0) == 0)
    #expect(Jitter.offsetMilliseconds(token: "x", jitterMilliseconds: -5) == 0)
}
