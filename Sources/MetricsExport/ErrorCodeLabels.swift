import AppFlow
import Synchronization

/// The `code` label values of `appflowd_errors_total`, bounded: every series is kept for the
/// daemon's life, and the codes come from the endpoint. The codes appflowd knows (AWS's, its
/// transport and ledger codes) always keep their own label; the first `extraLimit` other codes
/// get one too, in the order they appear; every later one is counted as `other`.
final class ErrorCodeLabels: Sendable {
    static let other = "other"

    /// Codes with a label whatever came before.
    static let known: Set<String> = AppFlowFailure.retryableCodes.union([
        "ResourceNotFoundException", "ServiceQuotaExceededException", "ConflictException", "ValidationException",
        "AccessDeniedException", "AccessDenied", "UnauthorizedOperation", "InvalidSignatureException",
        "SignatureDoesNotMatch", "UnrecognizedClientException", "IncompleteSignature", "ExpiredToken",
        "ExpiredTokenException", "InvalidClientTokenId", "UnsupportedOperationException",
        "ConnectionError", "Timeout", "ConnectionClosed", "TLSError", "MalformedResponse", "TransportError",
        AppFlowFailure.invalidCode, "Error", "ExecutionError", "LedgerWriteFailed", "closed",
    ])

    let extraLimit: Int
    private let extra = Mutex<Set<String>>([])

    init(extraLimit: Int = 16) {
        self.extraLimit = extraLimit
    }

    /// The label to count `code` under.
    func label(for code: String) -> String {
        if Self.known.contains(code) { return code }
        return extra.withLock { extra in
            if extra.contains(code) { return code }
            guard extra.count < extraLimit else { return Self.other }
            extra.insert(code)
            return code
        }
    }
}
