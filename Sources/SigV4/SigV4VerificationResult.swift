/// The outcome of verifying a request's signature. Failure codes and messages are the ones
/// AWS returns (as `x-amzn-ErrorType` and the body's `message`), so clients read them as
/// they would read AWS's own.
package enum SigV4VerificationResult: Sendable, Equatable {
    case valid(accessKeyId: String)
    case failure(code: String, message: String)

    package static let missingAuthenticationToken = "MissingAuthenticationTokenException"
    package static let incompleteSignature = "IncompleteSignatureException"
    package static let unrecognizedClient = "UnrecognizedClientException"
    package static let invalidSignature = "InvalidSignatureException"

    /// The HTTP status AWS answers each failure with: 403, except 400 for an incomplete signature.
    package var httpStatus: Int {
        switch self {
        case .valid: return 200
        case .failure(let code, _): return code == Self.incompleteSignature ? 400 : 403
        }
    }

    static func missingAuthentication() -> Self {
        .failure(code: missingAuthenticationToken, message: "Missing Authentication Token")
    }

    static func incomplete(_ message: String) -> Self {
        .failure(code: incompleteSignature, message: message)
    }

    static func unrecognized() -> Self {
        .failure(code: unrecognizedClient, message: "The security token included in the request is invalid.")
    }

    static func invalid(_ message: String) -> Self {
        .failure(code: invalidSignature, message: message)
    }

    static func signatureMismatch() -> Self {
        invalid(
            "The request signature we calculated does not match the signature you provided. "
                + "Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
        )
    }
}
