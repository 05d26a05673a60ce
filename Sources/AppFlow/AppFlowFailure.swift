/// The one way to read any error from a call: its code, message, whether another attempt with
/// the same token is worth it (SPEC section 4), and whether the endpoint had accepted the call.
///
/// The code and the message come from the endpoint, which may be hostile or broken: they are
/// bounded here, once, before anything stores, logs or counts them (`boundedCode`,
/// `boundedMessage`).
package struct AppFlowFailure: Sendable, Equatable, CustomStringConvertible {
    /// An AWS error code, or `invalidCode` when the endpoint's is not one.
    package var code: String
    /// At most `maxMessageBytes` bytes of UTF-8.
    package var message: String
    package var retryable: Bool
    /// Seconds from `Retry-After`.
    package var retryAfter: Double?
    /// HTTP 2xx whose body could not be read: the call may have taken effect.
    package var accepted: Bool

    package init(_ error: any Error) {
        switch error {
        case let service as AppFlowServiceError:
            code = Self.boundedCode(service.code)
            message = Self.boundedMessage(service.message)
            retryAfter = service.retryAfter
            accepted = false
            retryable = Self.retryableCodes.contains(service.code)
                || [429, 502, 503, 504].contains(service.statusCode)
                || (service.statusCode >= 500 && service.code == String(service.statusCode))
        case let transport as AppFlowTransportError:
            code = transport.code
            message = Self.boundedMessage(transport.detail)
            retryAfter = nil
            accepted = transport.accepted
            // A malformed error answer would come back the same: retrying it only adds load. A
            // malformed *success* is retried: the same token returns the same run, readable this time.
            retryable = transport.kind != .malformedResponse || transport.accepted
        case let credential as CredentialError where credential.code != nil:
            // STS refusing a role (AccessDenied) or not answering: its own code, and a message
            // that says it was STS, so no one looks for the problem in AppFlow's permissions.
            code = Self.boundedCode(credential.code ?? "")
            message = Self.boundedMessage(credential.description)
            retryAfter = nil
            accepted = false
            retryable = credential.retryable
        default:
            code = "Error"
            message = Self.boundedMessage("\(error)")
            retryAfter = nil
            accepted = false
            retryable = false
        }
    }

    package static let retryableCodes: Set<String> = [
        "InternalServerException", "ThrottlingException", "TooManyRequestsException",
        "Throttling", "ThrottledException", "RequestLimitExceeded", "ServiceUnavailable",
        "ServiceUnavailableException", "RequestTimeout", "RequestTimeoutException",
    ]

    package var description: String { message.isEmpty ? code : "\(code): \(message)" }

    // MARK: - Bounds on what the endpoint says

    /// Longer codes are not AWS error codes (the longest AWS uses is about 40 characters).
    package static let maxCodeLength = 64
    /// What a code that is too long, empty, or outside `[A-Za-z0-9._:-]` becomes: every bad
    /// code is the same one, so a hostile endpoint cannot mint metrics series or fill the ledger.
    package static let invalidCode = "InvalidErrorCode"
    /// Messages are cut to this many bytes of UTF-8 (the marker included) for the ledger, the
    /// log and `status`: enough for any AWS message, and 1000 failures a minute stay small.
    package static let maxMessageBytes = 1024
    static let cutMarker = "\u{2026}"

    /// `code` when it looks like an AWS error code, else `invalidCode`.
    package static func boundedCode(_ code: String) -> String {
        let utf8 = code.utf8
        guard !utf8.isEmpty, utf8.count <= maxCodeLength, utf8.allSatisfy(isCodeByte) else { return invalidCode }
        return code
    }

    /// `message`, or its first bytes (whole characters) followed by `\u{2026}` when longer than
    /// `maxMessageBytes`.
    package static func boundedMessage(_ message: String) -> String {
        guard message.utf8.count > maxMessageBytes else { return message }
        let budget = maxMessageBytes - cutMarker.utf8.count
        var kept = String.UnicodeScalarView()
        var used = 0
        for scalar in message.unicodeScalars {
            let size = UTF8.width(scalar)
            if used + size > budget { break }
            kept.append(scalar)
            used += size
        }
        return String(kept) + cutMarker
    }

    private static func isCodeByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: ":"), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }
}
