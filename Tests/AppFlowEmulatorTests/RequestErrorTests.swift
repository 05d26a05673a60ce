import AppFlowEmulator
import Foundation
import Testing

@Suite(.timeLimit(.minutes(5))) struct RequestErrorTests {
    @Test func unknownFlowIsResourceNotFound() throws {
        let harness = try EmulatorHarness()
        for path in ["/start-flow", "/describe-flow", "/describe-flow-execution-records"] {
            let answer = try harness.call(path, ["flowName": "no-such-flow"])
            #expect(answer.status == 404)
            #expect(answer.errorCode == "ResourceNotFoundException")
            #expect((answer.json["message"] as? String)?.contains("no-such-flow") == true)
        }
    }

    @Test(arguments: [
        ("/start-flow", #"{"flowName": "daily-sync", "clientToken": "\#(String(repeating: "t", count: 257))"}"#),
        ("/start-flow", #"{"flowName": "daily-sync", "clientToken": ""}"#),
        ("/start-flow", #"{"flowName": "daily-sync", "clientToken": "tab\there"}"#),
        ("/start-flow", #"{"flowName": "daily-sync", "clientToken": "caf\u00e9"}"#),
        ("/start-flow", #"{"flowName": "x"}"#),
        ("/start-flow", #"{"flowName": "bad name"}"#),
        ("/start-flow", #"{}"#),
        ("/describe-flow-execution-records", #"{"flowName": "daily-sync", "maxResults": 101}"#),
        ("/describe-flow-execution-records", #"{"flowName": "daily-sync", "maxResults": 0}"#),
        ("/describe-flow-execution-records", #"{"flowName": "daily-sync", "nextToken": "bm90LWEtdG9rZW4="}"#),
        ("/list-flows", #"{"maxResults": 500}"#),
        ("/list-flows", #"{"nextToken": "has space"}"#),
    ])
    func invalidInputIsValidationException(path: String, bodyJSON: String) throws {
        let harness = try EmulatorHarness()
        let body = try #require(try JSONSerialization.jsonObject(with: Data(bodyJSON.utf8)) as? [String: Any])
        let answer = try harness.call(path, body)
        #expect(answer.status == 400)
        #expect(answer.errorCode == "ValidationException")
        #expect(try harness.allExecutions("daily-sync", pageSize: 10).isEmpty)
    }

    @Test func longestValidTokenIsAccepted() throws {
        let harness = try EmulatorHarness()
        let answer = try harness.startFlow("daily-sync", token: String(repeating: "~", count: 256))
        #expect(answer.status == 200)
    }

    @Test func signatureProblemsUseAWSCodes() throws {
        let harness = try EmulatorHarness()
        let wrongSecret = try harness.call("/list-flows", [:], secret: "not-the-secret")
        #expect(wrongSecret.status == 403)
        #expect(wrongSecret.errorCode == "InvalidSignatureException")
        let unknownKey = try harness.call("/list-flows", [:], accessKeyId: "AKIDUNKNOWN")
        #expect(unknownKey.status == 403)
        #expect(unknownKey.errorCode == "UnrecognizedClientException")
        let unsigned = try harness.send(IncomingRequest(
            method: "POST", uri: "/list-flows", headers: [("Host", "127.0.0.1")], body: Array("{}".utf8)))
        #expect(unsigned.status == 403)
        #expect(unsigned.errorCode == "MissingAuthenticationTokenException")
        // A tampered body breaks the signature.
        var tampered = try EmulatorHarness.signedRequest(
            path: "/start-flow", body: ["flowName": "daily-sync"], date: harness.clock.now())
        tampered.body = Array(#"{"flowName":"daily-synd"}"#.utf8)
        #expect(try harness.send(tampered).errorCode == "InvalidSignatureException")
        #expect(harness.core.requests.allSatisfy { $0.newRun == false })
    }

    @Test func aSignatureFromLongAgoIsRejected() throws {
        let harness = try EmulatorHarness()
        let old = try EmulatorHarness.signedRequest(
            path: "/list-flows", body: [:], date: harness.clock.now().addingTimeInterval(-3600))
        let answer = try harness.send(old)
        #expect(answer.status == 403)
        #expect(answer.errorCode == "InvalidSignatureException")
    }

    @Test func unknownPathIsNotAnOperation() throws {
        let harness = try EmulatorHarness()
        let answer = try harness.call("/delete-flow", ["flowName": "daily-sync"])
        #expect(answer.status == 404)
        #expect(answer.errorCode == "UnknownOperationException")
    }

    @Test func malformedBodyIsSerializationException() throws {
        let harness = try EmulatorHarness()
        var request = try EmulatorHarness.signedRequest(path: "/start-flow", body: [:], date: harness.clock.now())
        request.body = Array("{not json".utf8)
        // Re-sign over the malformed body so only the JSON is wrong.
        request = try resign(request, date: harness.clock.now())
        let answer = try harness.send(request)
        #expect(answer.status == 400)
        #expect(answer.errorCode == "SerializationException")
    }

    @Test func errorAnswersCarryARequestId() throws {
        let harness = try EmulatorHarness()
        let answer = try harness.startFlow("missing-flow")
        let requestId = answer.headers.first { $0.name == "x-amzn-RequestId" }?.value
        #expect(requestId != nil)
        #expect(harness.core.requests.last?.requestId == requestId)
    }
}

import SigV4

private func resign(_ request: IncomingRequest, date: Date) throws -> IncomingRequest {
    let base = request.headers.filter { ["host", "content-type"].contains($0.name.lowercased()) }
    let signer = SigV4Signer(
        credentials: SigV4Credentials(
            accessKeyId: EmulatorHarness.accessKeyId, secretAccessKey: EmulatorHarness.secret, sessionToken: nil),
        region: "eu-west-1", service: "appflow")
    let added = signer.sign(SigV4Request(method: "POST", path: request.uri, query: "", headers: base, body: request.body), date: date)
    return IncomingRequest(method: "POST", uri: request.uri, headers: base + added, body: request.body)
}
