import SigV4

/// An AWS error answer: the `x-amzn-ErrorType` code, the HTTP status from AppFlow's service
/// model, and the body's `message`.
package struct EmulatorError: Error, Sendable, Equatable {
    package var code: String
    package var status: Int
    package var message: String

    package init(code: String, status: Int, message: String) {
        self.code = code
        self.status = status
        self.message = message
    }

    static func validation(_ message: String) -> EmulatorError {
        EmulatorError(code: "ValidationException", status: 400, message: message)
    }

    /// The message AWS's request validation uses for a constraint on one member.
    static func constraint(value: String, member: String, constraint: String) -> EmulatorError {
        validation("1 validation error detected: Value '\(value)' at '\(member)' failed to satisfy constraint: \(constraint)")
    }

    static func flowNotFound(_ name: String) -> EmulatorError {
        EmulatorError(
            code: "ResourceNotFoundException", status: 404,
            message: "Flow \(name) does not exist. Please provide a valid flow name and try again."
        )
    }

    static let internalError = EmulatorError(
        code: "InternalServerException", status: 500,
        message: "An internal service error occurred. Please try again later."
    )

    /// What `down` would answer; the connection is closed instead, so only the record shows it.
    static let serviceUnavailable = EmulatorError(
        code: "ServiceUnavailableException", status: 503, message: "Service Unavailable"
    )

    static let throttled = EmulatorError(
        code: "ThrottlingException", status: 429, message: "Rate exceeded"
    )

    static func conflict(flow: String) -> EmulatorError {
        EmulatorError(
            code: "ConflictException", status: 409,
            message: "Flow \(flow) is already running. Wait for the current run to finish and try again."
        )
    }

    /// What IAM answers a caller whose policies do not allow the action, in AWS's wording.
    static func accessDenied(action: String, resource: String, account: String) -> EmulatorError {
        EmulatorError(
            code: "AccessDeniedException", status: 403,
            message: "User: arn:aws:iam::\(account):user/appflowd-emulator is not authorized to perform: \(action) on resource: "
                + "\(resource) because no identity-based policy allows the \(action) action"
        )
    }

    static func serialization(_ message: String) -> EmulatorError {
        EmulatorError(code: "SerializationException", status: 400, message: message)
    }

    static func unknownOperation() -> EmulatorError {
        EmulatorError(code: "UnknownOperationException", status: 404, message: "Not Found")
    }

    /// A signature problem, with the status AWS uses for it (the verifier knows which).
    static func authentication(_ failure: SigV4VerificationResult) -> EmulatorError {
        guard case .failure(let code, let message) = failure else {
            return EmulatorError(code: "InternalServerException", status: 500, message: "signature verified")
        }
        return EmulatorError(code: code, status: failure.httpStatus, message: message)
    }
}
