/// Every intermediate value of one signature, for tests and debugging. The signing key
/// is derived from the secret: treat it like one and never log it.
/// (It is kept as hex because swift-crypto's `SymmetricKey` is not `Sendable` on Linux.)
package struct SigV4SigningSteps: Sendable {
    package var timestamp: SigV4Timestamp
    package var canonicalRequest: String
    package var credentialScope: String
    package var stringToSign: String
    package var signingKeyHex: String
    package var signedHeaders: String
    package var signature: String
    package var authorization: String
    /// The headers to add to the request: X-Amz-Date, X-Amz-Security-Token (with a
    /// session token) and Authorization, in that order, spelled as botocore spells them.
    package var headersToAdd: [(name: String, value: String)]
}
