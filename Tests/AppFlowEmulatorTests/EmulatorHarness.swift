import AppFlowEmulator
import Foundation
import SigV4

/// Drives an `EmulatorCore` the way a client would: builds rest-json requests, signs them
/// with `SigV4Signer` at the manual clock's time, and decodes the answers.
struct EmulatorHarness {
    static let accessKeyId = "AKIDTESTEMULATOR"
    static let secret = "test-secret-for-the-emulator"

    let clock: ManualEmulatorClock
    let core: EmulatorCore

    init(
        flows: [EmulatedFlow] = [EmulatedFlow(name: "daily-sync")],
        faults: FaultSettings = FaultSettings(),
        runDuration: TimeInterval = 2,
        seed: UInt64 = 42,
        recordPath: String? = nil
    ) throws {
        clock = ManualEmulatorClock()
        core = try EmulatorCore(configuration: EmulatorConfiguration(
            flows: flows, credentials: [Self.accessKeyId: Self.secret], faults: faults, runDuration: runDuration,
            recordPath: recordPath, region: "eu-west-1", seed: seed, clock: clock))
    }

    struct Answer {
        var status: Int
        var headers: [(name: String, value: String)]
        var json: [String: Any]
        var dropped: Bool
        var errorCode: String? { headers.first { $0.name.lowercased() == "x-amzn-errortype" }?.value }
    }

    static func signedRequest(
        path: String, body: [String: Any], accessKeyId: String = accessKeyId, secret: String = secret,
        date: Date, host: String = "127.0.0.1:8555"
    ) throws -> IncomingRequest {
        let bytes = Array(try JSONSerialization.data(withJSONObject: body))
        let headers: [(name: String, value: String)] = [("Host", host), ("Content-Type", "application/json")]
        let unsigned = SigV4Request(method: "POST", path: path, query: "", headers: headers, body: bytes)
        let signer = SigV4Signer(
            credentials: SigV4Credentials(accessKeyId: accessKeyId, secretAccessKey: secret, sessionToken: nil),
            region: "eu-west-1", service: "appflow")
        let added = signer.sign(unsigned, date: date)
        return IncomingRequest(method: "POST", uri: path, headers: headers + added, body: bytes)
    }

    func call(_ path: String, _ body: [String: Any], secret: String = secret, accessKeyId: String = accessKeyId) throws -> Answer {
        let request = try Self.signedRequest(
            path: path, body: body, accessKeyId: accessKeyId, secret: secret, date: clock.now())
        return try send(request)
    }

    func send(_ request: IncomingRequest) throws -> Answer {
        let response = core.handle(request)
        let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] ?? [:]
        return Answer(status: response.status, headers: response.headers, json: object, dropped: response.drop)
    }

    func startFlow(_ name: String, token: String? = nil) throws -> Answer {
        var body: [String: Any] = ["flowName": name]
        if let token { body["clientToken"] = token }
        return try call("/start-flow", body)
    }

    func executions(_ name: String, maxResults: Int? = nil, nextToken: String? = nil) throws -> Answer {
        var body: [String: Any] = ["flowName": name]
        if let maxResults { body["maxResults"] = maxResults }
        if let nextToken { body["nextToken"] = nextToken }
        return try call("/describe-flow-execution-records", body)
    }

    /// Every execution of a flow, following nextToken, newest first.
    func allExecutions(_ name: String, pageSize: Int) throws -> [[String: Any]] {
        var result: [[String: Any]] = []
        var token: String?
        repeat {
            let page = try executions(name, maxResults: pageSize, nextToken: token)
            guard page.status == 200 else { return result }
            result += page.json["flowExecutions"] as? [[String: Any]] ?? []
            token = page.json["nextToken"] as? String
        } while token != nil
        return result
    }
}
