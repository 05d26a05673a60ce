/// The one way to read any error from a call: its code, message, whether another attempt with
/// the same token is worth it (SPEC section 4), and whether the endpoint had accepted the call.
package struct AppFlowFailure: Sendable, Equatable, CustomStringConvertible {
    package var code: String
    package var message: String
    package var retryable: Bool
    /// Seconds from `Retry-After`.
    package var retryAfter: Double?
    /// HTTP 2xx whose body could not be read: the call may have taken effect.
    package var accepted: Bool

    package init(_ error: any Error) {
        switch error {
        case let service as AppFlowServiceError:
            code = service.code
            message = service.message
            retryAfter = service.retryAfter
            accepted = false
            retryable = Self.retryableCodes.contains(service.code)
                || [429, 502, 503, 504].contains(service.statusCode)
                || (service.statusCode >= 500 && service.code == String(service.statusCode))
        case let transport as AppFlowTransportError:
            code = transport.code
            message = transport.detail
            retryAfter = nil
            accepted = transport.accepted
            // A malformed error answer would come back the same: retrying it only adds load. A
            // malformed *success* is retried: the same token returns the same run, readable this time.
            retryable = transport.kind != .malformedResponse || transport.accepted
        default:
            code = "Error"
            message = "\(error)"
            retryAfter = nil
            accepted = false
            retryable = false
        }
    }

    static let retryableCodes: Set<String> = [
        "InternalServerException", "ThrottlingException", "TooManyRequestsException",
        "Throttling", "ThrottledException", "RequestLimitExceeded", "ServiceUnavailable",
        "ServiceUnavailableException", "RequestTimeout", "RequestTimeoutException",
    ]

    package var description: String { message.isEmpty ? code : "\(code): \(message)" }
}
