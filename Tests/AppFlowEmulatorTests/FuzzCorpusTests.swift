import AppFlowEmulator
import Foundation
import SigV4
import Testing

/// Replays the emulator's request fuzzing corpus (`fuzz/corpus/emulator`, grown by
/// `scripts/fuzz`): every input, turned into a request the way `fuzz/Harness.swift` does, gets an
/// HTTP answer, never a crash.
@Suite(.timeLimit(.minutes(5))) struct FuzzCorpusTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fuzz/corpus/emulator")

    /// Byte 0: bit 0 signs the request, bit 1 resets the emulator after it. Then method, target,
    /// `name:value` header lines and body, separated by NUL bytes.
    static func request(from bytes: [UInt8], clock: ManualEmulatorClock) -> (IncomingRequest, reset: Bool)? {
        guard let first = bytes.first else { return nil }
        let parts = bytes.dropFirst().split(separator: 0, maxSplits: 3, omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        let method = parts.count > 0 && !parts[0].isEmpty ? parts[0] : "POST"
        let uri = parts.count > 1 ? parts[1] : "/start-flow"
        var headers: [(name: String, value: String)] = [("Host", "127.0.0.1:8555")]
        if parts.count > 2 {
            for line in parts[2].split(separator: "\n") {
                let pieces = line.split(separator: ":", maxSplits: 1)
                if pieces.count == 2 { headers.append((String(pieces[0]), String(pieces[1]))) }
            }
        }
        let body = parts.count > 3 ? Array(parts[3].utf8) : []
        var request = IncomingRequest(method: method, uri: uri, headers: headers, body: body)
        if first & 1 == 1 {
            let path = String(uri.prefix { $0 != "?" })
            let query = uri.contains("?") ? String(uri.drop { $0 != "?" }.dropFirst()) : ""
            let signer = SigV4Signer(
                credentials: SigV4Credentials(accessKeyId: "AKIDFUZZ", secretAccessKey: "fuzz-secret", sessionToken: nil),
                region: "eu-west-1", service: "appflow")
            request.headers += signer.sign(SigV4Request(method: method, path: path, query: query, headers: headers, body: body), date: clock.now())
        }
        return (request, first & 2 == 2)
    }

    @Test func everyInputGetsAnAnswer() throws {
        let clock = ManualEmulatorClock()
        let core = try EmulatorCore(configuration: EmulatorConfiguration(
            flows: [EmulatedFlow(name: "daily-sync"), EmulatedFlow(name: "hourly", trigger: .scheduled)],
            credentials: ["AKIDFUZZ": "fuzz-secret"], runDuration: 1, region: "eu-west-1", seed: 1,
            clock: clock, requestHistoryLimit: 1000))
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path).sorted()
        #expect(names.count >= 5)
        var signedAndAccepted = 0
        for name in names {
            let bytes = Array(try #require(FileManager.default.contents(atPath: Self.directory.appendingPathComponent(name).path)))
            guard let (request, reset) = Self.request(from: bytes, clock: clock) else { continue }
            let response = core.handle(request)
            #expect((200...599).contains(response.status), "\(name): status \(response.status)")
            if response.status == 200 && !request.uri.hasPrefix("/_emulator/") { signedAndAccepted += 1 }
            if reset { core.reset() }
        }
        // The corpus reaches past the signature check into the operations.
        #expect(signedAndAccepted > 0)
    }
}
