import AppFlowEmulator
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SigV4
import Testing

/// The emulator over real loopback HTTP, with requests signed by `SigV4Signer`.
@Suite(.timeLimit(.minutes(5))) struct HTTPServerTests {
    private func withServer(
        faults: FaultSettings = FaultSettings(), _ body: (EmulatorServer, URLSession) async throws -> Void
    ) async throws {
        let server = try await EmulatorServer.start(EmulatorConfiguration(
            flows: [EmulatedFlow(name: "daily-sync"), EmulatedFlow(name: "hourly", trigger: .scheduled)],
            credentials: [EmulatorHarness.accessKeyId: EmulatorHarness.secret], faults: faults, port: 0, threads: 1))
        let session = URLSession(configuration: .ephemeral)
        do {
            try await body(server, session)
        } catch {
            try await server.shutdown()
            throw error
        }
        try await server.shutdown()
    }

    private func post(
        _ session: URLSession, port: Int, path: String, body: [String: Any], signed: Bool = true
    ) async throws -> (Int, [String: Any], HTTPURLResponse) {
        let host = "127.0.0.1:\(port)"
        var request = URLRequest(url: URL(string: "http://\(host)\(path)")!)
        request.httpMethod = "POST"
        let bytes = try JSONSerialization.data(withJSONObject: body)
        request.httpBody = bytes
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if signed {
            let signer = SigV4Signer(
                credentials: SigV4Credentials(
                    accessKeyId: EmulatorHarness.accessKeyId, secretAccessKey: EmulatorHarness.secret, sessionToken: nil),
                region: "us-west-2", service: "appflow")
            let headers: [(name: String, value: String)] = [("host", host), ("content-type", "application/json")]
            for (name, value) in signer.sign(
                SigV4Request(method: "POST", path: path, query: "", headers: headers, body: Array(bytes)), date: Date()) {
                request.setValue(value, forHTTPHeaderField: name)
            }
        }
        let (data, response) = try await session.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        let json = (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
        return (http.statusCode, json, http)
    }

    @Test func signedStartFlowOverHTTP() async throws {
        try await withServer { server, session in
            #expect(server.port > 0)
            let (status, json, response) = try await post(
                session, port: server.port, path: "/start-flow", body: ["flowName": "daily-sync", "clientToken": "h1"])
            #expect(status == 200)
            #expect(json["executionId"] is String)
            #expect(response.value(forHTTPHeaderField: "x-amzn-RequestId") != nil)
            #expect(server.requests.count == 1)
            #expect(server.requests.first?.accessKeyId == EmulatorHarness.accessKeyId)

            let (unsignedStatus, _, unsigned) = try await post(
                session, port: server.port, path: "/list-flows", body: [:], signed: false)
            #expect(unsignedStatus == 403)
            #expect(unsigned.value(forHTTPHeaderField: "x-amzn-ErrorType") == "MissingAuthenticationTokenException")
        }
    }

    @Test func adminEndpointChangesFaultsAndShowsRequests() async throws {
        try await withServer { server, session in
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(server.port)/_emulator/faults")!)
            request.httpMethod = "POST"
            request.httpBody = Data(#"{"throttleRate": 1}"#.utf8)
            let (data, _) = try await session.data(for: request)
            let faults = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect(faults["throttleRate"] as? Double == 1)
            #expect(server.faults.throttleRate == 1)

            let (status, _, response) = try await post(
                session, port: server.port, path: "/start-flow", body: ["flowName": "daily-sync", "clientToken": "h2"])
            #expect(status == 429)
            #expect(response.value(forHTTPHeaderField: "x-amzn-ErrorType") == "ThrottlingException")

            let (listData, _) = try await session.data(from: URL(string: "http://127.0.0.1:\(server.port)/_emulator/requests")!)
            let listed = try #require(try JSONSerialization.jsonObject(with: listData) as? [String: Any])
            let records = try #require(listed["requests"] as? [[String: Any]])
            #expect(records.count == 1)
            #expect(records.first?["fault"] as? String == "throttle")

            var bad = URLRequest(url: URL(string: "http://127.0.0.1:\(server.port)/_emulator/faults")!)
            bad.httpMethod = "POST"
            bad.httpBody = Data(#"{"errorRate": 7}"#.utf8)
            let (_, badResponse) = try await session.data(for: bad)
            #expect((badResponse as? HTTPURLResponse)?.statusCode == 400)
        }
    }

    @Test func droppedAnswerClosesTheConnection() async throws {
        try await withServer(faults: FaultSettings(dropRate: 1)) { server, session in
            await #expect(throws: (any Error).self) {
                _ = try await post(
                    session, port: server.port, path: "/start-flow", body: ["flowName": "daily-sync", "clientToken": "d"])
            }
            let record = try #require(server.requests.first)
            #expect(record.newRun)
            #expect(record.fault == .drop)
        }
    }
}
