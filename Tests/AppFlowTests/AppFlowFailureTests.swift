import Testing
@testable import AppFlow

@Suite(.timeLimit(.minutes(1)))
struct AppFlowFailureTests {
    static func service(_ code: String, _ status: Int, retryAfter: Double? = nil) -> AppFlowServiceError {
        AppFlowServiceError(code: code, message: "m", statusCode: status, retryAfter: retryAfter)
    }

    // SPEC section 4: what is retried and what is not.
    static let retryable: [(any Error & Sendable, Bool)] = [
        (service("InternalServerException", 500), true),
        (service("ThrottlingException", 429), true),
        (service("TooManyRequestsException", 429), true),
        (service("429", 429), true),
        (service("502", 502), true),
        (service("503", 503), true),
        (service("504", 504), true),
        (AppFlowTransportError(.connect, "refused"), true),
        (AppFlowTransportError(.timeout, "read"), true),
        (AppFlowTransportError(.connectionClosed, "eof"), true),
        (service("ResourceNotFoundException", 404), false),
        (service("ServiceQuotaExceededException", 402), false),
        (service("ConflictException", 409), false),
        (service("ValidationException", 400), false),
        (service("AccessDeniedException", 403), false),
        (service("InvalidSignatureException", 403), false),
        (service("UnrecognizedClientException", 403), false),
        (AppFlowTransportError(.malformedResponse, "bad json"), false),
    ]

    @Test(arguments: 0..<retryable.count)
    func classifiesErrors(_ index: Int) {
        let (error, expected) = Self.retryable[index]
        #expect(AppFlowFailure(error).retryable == expected, "\(error)")
    }

    @Test func aSuccessWithAnUnreadableBodyIsRetriedAndMarkedAccepted() {
        let failure = AppFlowFailure(AppFlowTransportError(.malformedResponse, "bad json", accepted: true))
        #expect(failure.retryable && failure.accepted && failure.code == "MalformedResponse")
        #expect(!AppFlowFailure(AppFlowTransportError(.malformedResponse, "bad json")).accepted)
    }

    @Test func readsCodeMessageAndRetryAfter() {
        let failure = AppFlowFailure(Self.service("ThrottlingException", 429, retryAfter: 3))
        #expect(failure == AppFlowFailure(Self.service("ThrottlingException", 429, retryAfter: 3)))
        #expect(failure.code == "ThrottlingException" && failure.message == "m" && failure.retryAfter == 3)
    }
}
