import AppFlowEmulator
import Foundation
import Testing

@Suite(.timeLimit(.minutes(5))) struct RequestRecordTests {
    @Test func recordFileHasOneJSONLinePerRequestWithBothTimeForms() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("emu-record-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let harness = try EmulatorHarness(recordPath: path)
        harness.clock.set(Date(timeIntervalSince1970: 1_709_210_096.123456))  // 2024-02-29, a leap day
        _ = try harness.startFlow("daily-sync", token: "rec-1")
        harness.clock.advance(by: 0.5)
        _ = try harness.startFlow("nope-flow", token: "rec-2")

        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        let second = try #require(try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])

        #expect(first["operation"] as? String == "StartFlow")
        #expect(first["flowName"] as? String == "daily-sync")
        #expect(first["clientToken"] as? String == "rec-1")
        #expect(first["status"] as? Int == 200)
        #expect(first["newRun"] as? Bool == true)
        #expect(first["executionId"] as? String == harness.core.requests.first?.executionId)
        #expect(first["fault"] is NSNull)
        #expect(second["status"] as? Int == 404)
        #expect(second["errorCode"] as? String == "ResourceNotFoundException")

        for (line, expected) in [(first, 1_709_210_096.123456), (second, 1_709_210_096.623456)] {
            let time = try #require(line["time"] as? Double)
            #expect(abs(time - expected) < 0.000_002)
            #expect(line["timeRFC3339"] as? String == reference(expected))
        }
    }

    /// An independent RFC 3339 rendering through Foundation's calendar.
    private func reference(_ seconds: Double) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let whole = seconds.rounded(.down)
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: whole))
        let micros = Int(((seconds - whole) * 1_000_000).rounded())
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", parts.year!, parts.month!, parts.day!, parts.hour!,
            parts.minute!, parts.second!, micros)
    }

    @Test func inMemoryRecordIsClearedByReset() throws {
        let harness = try EmulatorHarness()
        _ = try harness.startFlow("daily-sync", token: "a")
        #expect(harness.core.requests.count == 1)
        harness.core.reset()
        #expect(harness.core.requests.isEmpty)
        #expect(try harness.allExecutions("daily-sync", pageSize: 10).isEmpty)
        // After a reset the token is new again.
        _ = try harness.startFlow("daily-sync", token: "a")
        #expect(harness.core.requests.last?.newRun == true)
    }

    @Test(arguments: ["ab", "daily-sync", "A1_!@#.-x", String(repeating: "f", count: 256)])
    func validFlowArguments(name: String) throws {
        #expect(try EmulatedFlow(argument: name).name == name)
        #expect(try EmulatedFlow(argument: name + ":scheduled").trigger == .scheduled)
    }

    @Test(arguments: ["a", "-flow", "has space", String(repeating: "f", count: 257), "ok:weekly"])
    func invalidFlowArguments(argument: String) {
        #expect(throws: EmulatorConfigurationError.self) { try EmulatedFlow(argument: argument) }
    }

    @Test func flowKindsFromArguments() throws {
        #expect(try EmulatedFlow(argument: "x1:event").trigger == .event)
        let failing = try EmulatedFlow(argument: "x1:error")
        #expect(failing.trigger == .onDemand && failing.failsRuns)
    }

    @Test func flowsFileDeclaresFlowsWithDefaults() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("emu-flows-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(#"[{"name": "nightly", "trigger": "Scheduled"}, {"name": "adhoc", "failsRuns": true}]"#.utf8)
            .write(to: URL(fileURLWithPath: path))
        let flows = try EmulatorConfiguration.loadFlows(fromFile: path)
        #expect(flows == [
            EmulatedFlow(name: "nightly", trigger: .scheduled),
            EmulatedFlow(name: "adhoc", trigger: .onDemand, failsRuns: true),
        ])
        try Data(#"[{"name": "bad name"}]"#.utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: EmulatorConfigurationError.self) { try EmulatorConfiguration.loadFlows(fromFile: path) }
    }

    @Test func duplicateFlowsAreRejected() {
        let configuration = EmulatorConfiguration(flows: [EmulatedFlow(name: "aa"), EmulatedFlow(name: "aa")])
        #expect(throws: EmulatorConfigurationError.self) { try configuration.validate() }
    }
}
