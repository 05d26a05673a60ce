import Foundation
import SigV4

/// Credentials with the time they stop working, when they are temporary.
package struct AWSCredentials: Sendable, CustomStringConvertible {
    package var signing: SigV4Credentials
    package var expiration: Date?
    /// Where they came from, for messages (never a secret).
    package var source: String

    package init(signing: SigV4Credentials, expiration: Date? = nil, source: String) {
        self.signing = signing
        self.expiration = expiration
        self.source = source
    }

    package var description: String {
        "AWSCredentials(source: \(source), accessKeyId: \(signing.accessKeyId), secret: <redacted>)"
    }
}

/// A credential source that is configured but cannot be used, or the chain finding nothing.
/// Its text names the source and the problem, never a secret.
package struct CredentialError: Error, Sendable, Equatable, CustomStringConvertible {
    package var source: String
    package var message: String
    /// The AWS error code a credential service answered (STS's `AccessDenied`, say), or the
    /// kind of transport failure (`ConnectionError`, `Timeout`); nil for a local problem.
    package var code: String?
    /// Another attempt may succeed: throttling, a 5xx answer, no answer at all.
    package var retryable: Bool

    package init(source: String, message: String, code: String? = nil, retryable: Bool = false) {
        self.source = source
        self.message = message
        self.code = code
        self.retryable = retryable
    }

    package var description: String { "\(source): \(message)" }
}

/// One place credentials can come from, as in the AWS SDKs' default chain.
package protocol CredentialProvider: Sendable {
    /// A name for messages and logs, e.g. "environment variables".
    var sourceDescription: String { get }
    /// nil when the source is not configured at all (the chain moves on); throws when it is
    /// configured but unusable (the chain stops, as the SDKs do).
    func resolve() async throws -> AWSCredentials?
}
