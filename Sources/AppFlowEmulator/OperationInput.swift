/// The AppFlow operations the emulator serves, by their rest-json paths.
package enum AppFlowOperation: String, Sendable, CaseIterable {
    case startFlow = "StartFlow"
    case describeFlow = "DescribeFlow"
    case describeFlowExecutionRecords = "DescribeFlowExecutionRecords"
    case listFlows = "ListFlows"

    init?(path: String) {
        switch path {
        case "/start-flow": self = .startFlow
        case "/describe-flow": self = .describeFlow
        case "/describe-flow-execution-records": self = .describeFlowExecutionRecords
        case "/list-flows": self = .listFlows
        default: return nil
        }
    }
}

/// The union of the four operations' inputs; each operation checks the members it uses
/// against the service model's constraints.
struct OperationInput: Decodable, Sendable {
    var flowName: String?
    var clientToken: String?
    var maxResults: Int?
    var nextToken: String?

    /// AppFlow's default page size is not documented; 20 keeps callers honest about paging.
    static let defaultMaxResults = 20

    func requireFlowName() -> Result<String, EmulatorError> {
        guard let flowName else {
            return .failure(.validation(
                "1 validation error detected: Value null at 'flowName' failed to satisfy constraint: Member must not be null"))
        }
        guard FieldValidation.isValidFlowName(flowName) else {
            return .failure(.constraint(
                value: flowName, member: "flowName",
                constraint: "Member must satisfy regular expression pattern: [a-zA-Z0-9][\\w!@#.-]+"))
        }
        return .success(flowName)
    }

    func validatedClientToken() -> Result<String?, EmulatorError> {
        guard let clientToken else { return .success(nil) }
        guard FieldValidation.isValidClientToken(clientToken) else {
            let constraint = clientToken.utf8.count > 256 || clientToken.isEmpty
                ? "Member must have length between 1 and 256"
                : "Member must satisfy regular expression pattern: [ -~]+"
            return .failure(.constraint(value: clientToken, member: "clientToken", constraint: constraint))
        }
        return .success(clientToken)
    }

    func validatedPaging() -> Result<(maxResults: Int, nextToken: String?), EmulatorError> {
        let max = maxResults ?? Self.defaultMaxResults
        guard (1...100).contains(max) else {
            return .failure(.constraint(
                value: String(max), member: "maxResults",
                constraint: "Member must have value between 1 and 100"))
        }
        if let nextToken, !FieldValidation.isValidNextToken(nextToken) {
            return .failure(.constraint(
                value: nextToken, member: "nextToken",
                constraint: "Member must satisfy regular expression pattern: \\S+"))
        }
        return .success((max, nextToken))
    }
}
