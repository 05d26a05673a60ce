import Foundation
import Primitives

extension EmulatorCore {
    /// Applies faults and runs one operation under the state lock, so that the record's order
    /// is the order in which the state changed.
    func perform(_ operation: AppFlowOperation, _ input: ValidInput, record: RequestRecord, now: Date) -> EmulatorResponse {
        var record = record
        return state.withLock { state in
            record.requestId = state.ids.uuidString()
            let startToken = operation == .startFlow
                ? input.clientToken.flatMap { token in input.flowName.map { (flowName: $0, clientToken: token) } }
                : nil
            var response: EmulatorResponse
            // Only the strings: a copy of the store would make its next change copy every flow.
            let (region, account) = (state.store.region, state.store.account)
            let denial = {
                EmulatorError.accessDenied(
                    action: "appflow:" + operation.rawValue,
                    resource: "arn:aws:appflow:\(region):\(account):" + (input.flowName.map { "flow/" + $0 } ?? "*"),
                    account: account)
            }
            if let (error, fault) = state.faults.beforeOperation(operation, startToken: startToken, denial: denial) {
                record.fault = fault
                response = .error(error, requestId: record.requestId)
                record.status = error.status
                record.errorCode = error.code
                response.drop = fault == .down
            } else {
                let conflictWhenRunning = state.faults.settings.conflictWhenRunning
                switch run(operation, input, store: &state.store, record: &record, now: now,
                           conflictWhenRunning: conflictWhenRunning) {
                case .success(let body):
                    response = .json(200, body, requestId: record.requestId)
                case .failure(let error):
                    response = .error(error, requestId: record.requestId)
                    record.status = error.status
                    record.errorCode = error.code
                }
                let after = state.faults.afterOperation()
                if after.drop {
                    response.drop = true
                    record.fault = .drop
                }
                response.delayMs = after.delayMs
                record.delayMs = after.delayMs
            }
            state.log.append(record)
            return response
        }
    }

    private func run(
        _ operation: AppFlowOperation, _ input: ValidInput, store: inout FlowStore, record: inout RequestRecord,
        now: Date, conflictWhenRunning: Bool
    ) -> Result<[UInt8], EmulatorError> {
        switch operation {
        case .startFlow:
            let flowName = input.flowName ?? ""
            let result = store.startFlow(
                name: flowName, clientToken: input.clientToken, now: now, conflictWhenRunning: conflictWhenRunning)
            return result.map { outcome in
                record.executionId = outcome.executionId
                record.newRun = outcome.isNew
                record.idempotentReplay = !outcome.isNew
                var output = JSONWriter(capacity: 192)
                output.beginObject()
                output.member("flowArn", outcome.flowArn)
                output.member("flowStatus", outcome.flowStatus)
                output.member("executionId", outcome.executionId)
                output.endObject()
                return output.bytes
            }
        case .describeFlow:
            guard let flow = store.flow(named: input.flowName ?? "") else {
                return .failure(.flowNotFound(input.flowName ?? ""))
            }
            return .success(ResponseRenderer.describeFlow(flow, arn: store.arn(of: flow.flow.name), now: now))
        case .describeFlowExecutionRecords:
            return store.executionsPage(
                flowName: input.flowName ?? "", maxResults: input.maxResults, nextToken: input.nextToken
            ).map { page in
                ResponseRenderer.executionRecords(page.executions, nextToken: page.nextToken, now: now)
            }
        case .listFlows:
            return store.flowsPage(maxResults: input.maxResults, nextToken: input.nextToken).map { page in
                ResponseRenderer.listFlows(page.flows, nextToken: page.nextToken, arn: store.arn(of:), now: now)
            }
        }
    }
}
