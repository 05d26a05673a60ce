/// AWS credentials for signing. The secret and the session token never appear in
/// `description`, `debugDescription` or a `Mirror` (so `dump` and string
/// interpolation cannot leak them into a log).
package struct SigV4Credentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    package var accessKeyId: String
    package var secretAccessKey: String
    /// Set for temporary credentials (STS, SSO, instance roles); sent as `X-Amz-Security-Token`.
    package var sessionToken: String?

    package init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    package var description: String {
        // Access key ids are not secret (CloudTrail shows them) and tell an operator which key was used.
        let token = sessionToken == nil ? "nil" : "<redacted>"
        return "SigV4Credentials(accessKeyId: \(accessKeyId), secret: <redacted>, sessionToken: \(token))"
    }

    package var debugDescription: String { description }

    package var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "accessKeyId": accessKeyId,
                "secretAccessKey": "<redacted>",
                "sessionToken": sessionToken == nil ? "nil" : "<redacted>",
            ],
            displayStyle: .struct
        )
    }
}
