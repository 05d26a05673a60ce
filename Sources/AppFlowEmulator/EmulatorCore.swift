import Foundation
import SigV4
import Synchronization

/// A complete HTTP request as the emulator sees it.
package struct IncomingRequest: Sendable {
    package var method: String
    /// The request target as received: percent-encoded path, optionally `?query`.
    package var uri: String
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]

    package init(method: String, uri: String, headers: [(name: String, value: String)], body: [UInt8]) {
        self.method = method
        self.uri = uri
        self.headers = headers
        self.body = body
    }
}

/// The emulator without the network: verifies, routes, applies faults, updates the state and
/// records each request. The HTTP handler and the tests both call `handle(_:)`.
package final class EmulatorCore: Sendable {
    struct State: Sendable {
        var store: FlowStore
        var faults: FaultInjector
        var log: RequestLog
        var ids: SeededRandom
    }

    let state: Mutex<State>
    let clock: any EmulatorClock
    private let verifier: SigV4Verifier
    private let recordFile: RecordFile?

    package init(configuration: EmulatorConfiguration) throws(EmulatorConfigurationError) {
        try configuration.validate()
        let seed = configuration.seed ?? UInt64.random(in: .min ... .max)
        let file = try configuration.recordPath.map { (path) throws(EmulatorConfigurationError) in
            try RecordFile(path: path)
        }
        recordFile = file
        clock = configuration.clock
        let store = FlowStore(
            flows: configuration.flows, region: configuration.region, account: configuration.account,
            runDuration: configuration.runDuration, createdAt: configuration.clock.now(), seed: seed)
        state = Mutex(State(
            store: store,
            faults: FaultInjector(settings: configuration.faults, seed: seed &+ 1),
            log: RequestLog(limit: configuration.requestHistoryLimit, file: file),
            ids: SeededRandom(seed: seed &+ 2)))
        let credentials = configuration.credentials
        verifier = SigV4Verifier(service: "appflow") { accessKeyId in credentials[accessKeyId] }
    }

    /// A snapshot of the in-memory record, oldest first.
    package var requests: [RequestRecord] {
        state.withLock { $0.log.records }
    }

    package var faults: FaultSettings {
        state.withLock { $0.faults.settings }
    }

    package func setFaults(_ settings: FaultSettings) {
        state.withLock { $0.faults.update(settings) }
    }

    /// Forgets runs, activations, tokens, fault attempt counts and the in-memory record.
    package func reset() {
        let now = clock.now()
        state.withLock { state in
            state.store.reset(now: now)
            state.faults.reset()
            state.log.clear()
        }
    }

    func closeRecord() {
        recordFile?.close()
    }

    package func handle(_ request: IncomingRequest) -> EmulatorResponse {
        let path: Substring
        let query: Substring
        if let mark = request.uri.firstIndex(of: "?") {
            path = request.uri[..<mark]
            query = request.uri[request.uri.index(after: mark)...]
        } else {
            path = Substring(request.uri)
            query = ""
        }
        if path.hasPrefix("/_emulator/") {
            return handleAdmin(method: request.method, path: path, body: request.body)
        }
        let now = clock.now()
        var record = RequestRecord(
            arrival: now, requestId: "", method: request.method, path: String(path), operation: nil,
            accessKeyId: nil, flowName: nil, clientToken: nil, status: 200, errorCode: nil, executionId: nil,
            newRun: false, idempotentReplay: false, fault: nil, delayMs: 0)
        let signed = SigV4Request(
            method: request.method, path: String(path), query: String(query), headers: request.headers,
            body: request.body)
        let operation = request.method == "POST" ? AppFlowOperation(path: String(path)) : nil
        record.operation = operation?.rawValue
        let verification = verifier.verify(signed, now: now)
        guard case .valid(let accessKeyId) = verification else {
            return finishWithError(.authentication(verification), record: record)
        }
        record.accessKeyId = accessKeyId
        guard let operation else {
            return finishWithError(.unknownOperation(), record: record)
        }
        let input: OperationInput
        do {
            input = try request.body.isEmpty
                ? OperationInput()
                : JSONDecoder().decode(OperationInput.self, from: Data(request.body))
        } catch {
            return finishWithError(.serialization("The request body is not a valid \(operation.rawValue) input"), record: record)
        }
        record.flowName = input.flowName
        record.clientToken = input.clientToken
        switch validate(operation, input) {
        case .failure(let error):
            return finishWithError(error, record: record)
        case .success(let valid):
            return perform(operation, valid, record: record, now: now)
        }
    }

    /// Answers an error that was decided before touching any state.
    private func finishWithError(_ error: EmulatorError, record: RequestRecord) -> EmulatorResponse {
        var record = record
        record.status = error.status
        record.errorCode = error.code
        return state.withLock { state in
            record.requestId = state.ids.uuidString()
            state.log.append(record)
            return .error(error, requestId: record.requestId)
        }
    }

    /// The members of an operation's input that passed the model's constraints.
    struct ValidInput: Sendable {
        var flowName: String?
        var clientToken: String?
        var maxResults: Int = OperationInput.defaultMaxResults
        var nextToken: String?
    }

    private func validate(_ operation: AppFlowOperation, _ input: OperationInput) -> Result<ValidInput, EmulatorError> {
        var valid = ValidInput()
        switch operation {
        case .startFlow, .describeFlow, .describeFlowExecutionRecords:
            switch input.requireFlowName() {
            case .success(let name): valid.flowName = name
            case .failure(let error): return .failure(error)
            }
        case .listFlows:
            break
        }
        if operation == .startFlow {
            switch input.validatedClientToken() {
            case .success(let token): valid.clientToken = token
            case .failure(let error): return .failure(error)
            }
        }
        if operation == .describeFlowExecutionRecords || operation == .listFlows {
            switch input.validatedPaging() {
            case .success(let paging):
                valid.maxResults = paging.maxResults
                valid.nextToken = paging.nextToken
            case .failure(let error): return .failure(error)
            }
        }
        return .success(valid)
    }
}
