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

    // Issue 18, item 4: what the endpoint says is bounded once, where errors are read.
    @Test(arguments: [
        ("ThrottlingException", "ThrottlingException"),
        ("com.amazon.coral:Bad-Code_1.2", "com.amazon.coral:Bad-Code_1.2"),
        (String(repeating: "A", count: 64), String(repeating: "A", count: 64)),
        (String(repeating: "A", count: 65), AppFlowFailure.invalidCode),
        ("", AppFlowFailure.invalidCode),
        ("Bad Code", AppFlowFailure.invalidCode),
        ("Bad\u{1b}[31mCode", AppFlowFailure.invalidCode),
        ("Bad\nCode", AppFlowFailure.invalidCode),
        ("Bäd", AppFlowFailure.invalidCode),
    ])
    func codesOutsideTheAlphabetOrTooLongBecomeOneCode(_ raw: String, _ expected: String) {
        #expect(AppFlowFailure(AppFlowServiceError(code: raw, message: "m", statusCode: 400)).code == expected)
    }

    @Test func messagesAreCutToOneKilobyteOnACharacterBoundary() {
        let short = String(repeating: "x", count: AppFlowFailure.maxMessageBytes)
        #expect(AppFlowFailure(AppFlowServiceError(code: "X", message: short, statusCode: 400)).message == short)
        for filler in ["x", "é", "日", "😀"] {
            let long = String(repeating: filler, count: 100_000)
            let message = AppFlowFailure(AppFlowServiceError(code: "X", message: long, statusCode: 400)).message
            #expect(message.utf8.count <= AppFlowFailure.maxMessageBytes, "\(filler)")
            #expect(message.utf8.count > AppFlowFailure.maxMessageBytes - 8, "\(filler)")
            #expect(message.hasSuffix("\u{2026}") && message.dropLast().allSatisfy { String($0) == filler })
        }
        let transport = AppFlowFailure(AppFlowTransportError(.malformedResponse, String(repeating: "y", count: 5000)))
        #expect(transport.message.utf8.count <= AppFlowFailure.maxMessageBytes)
    }

    @Test func retryDecisionsStillReadTheRawCode() {
        // A code too long to keep is not an AWS code: it is not retried unless its status says so.
        let long = String(repeating: "T", count: 100)
        #expect(!AppFlowFailure(AppFlowServiceError(code: long, message: "", statusCode: 400)).retryable)
        #expect(AppFlowFailure(AppFlowServiceError(code: long, message: "", statusCode: 503)).retryable)
    }
}
