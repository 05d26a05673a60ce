import Foundation
import JobFile
import Scheduling
import Testing
@testable import Reports

@Test(.timeLimit(.minutes(5))) func nextJSONMatchesTheSpecShape() throws {
    let text = """
        timezone = "Europe/Berlin"
        [[job]]
        name = "accounts-nightly"
        flow = "salesforce-accounts"
        cron = "0 2 * * *"
        jitter = "30s"
        [[job]]
        flow = "off-flow"
        every = "1h"
        enabled = false
        """
    let file = try #require(JobFileLoader.parse(text, fileName: "n", now: fixtureNow).jobFile)
    let report = NextReport(jobFile: file, from: fixtureNow, count: 2)
    let json = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [[String: Any]])
    #expect(json.count == 2)
    #expect(json[0]["job"] as? String == "accounts-nightly" && json[0]["flow"] as? String == "salesforce-accounts")
    let next = try #require(json[0]["next"] as? [[String: String]])
    #expect(next.count == 2)
    // 2026-11-26 02:00 CET = 01:00Z.
    #expect(next[0]["nominal"] == "2026-11-26T01:00:00Z")
    #expect(next[0]["local"] == "2026-11-26T02:00:00+01:00")
    let token = ClientToken.make(salt: "", job: "accounts-nightly", flow: "salesforce-accounts", slot: fixtureNow + 3600)
    #expect(next[0]["clientToken"] == token)
    let jitter = Jitter.offsetMilliseconds(token: token, jitterMilliseconds: 30_000)
    let fire = String(format: "2026-11-26T01:00:%02d.%03dZ", jitter / 1000, jitter % 1000)
    #expect(next[0]["fire"] == fire)
    #expect(next[1]["nominal"] == "2026-11-27T01:00:00Z")
    #expect(json[1]["enabled"] as? Bool == false && (json[1]["next"] as? [Any])?.isEmpty == true)
}

@Test(.timeLimit(.minutes(5))) func nextTableListsJobsByFireTime() throws {
    let text = """
        timezone = "UTC"
        [[job]]
        flow = "later"
        cron = "0 5 * * *"
        [[job]]
        flow = "sooner"
        every = "1h"
        [[job]]
        flow = "off"
        every = "1h"
        enabled = false
        """
    let file = try #require(JobFileLoader.parse(text, fileName: "n", now: fixtureNow).jobFile)
    let lines = NextReport(jobFile: file, from: fixtureNow + 600, count: 1).table().split(separator: "\n")
    #expect(lines[0].hasPrefix("JOB") && lines[0].contains("TOKEN"))
    #expect(lines[1].hasPrefix("sooner") && lines[1].contains("2026-11-26 01:00:00 UTC") && lines[1].contains("50min left"))
    #expect(lines[2].hasPrefix("later") && lines[2].contains("4h 50min left"))
    #expect(lines[3].hasPrefix("off") && lines[3].contains("disabled"))
}
