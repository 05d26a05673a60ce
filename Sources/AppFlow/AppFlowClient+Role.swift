import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension AppFlowClient.Configuration {
    /// The calls are made as this role: STS `AssumeRole` in the client's region (or at
    /// `AWS_ENDPOINT_URL_STS` / `AWS_ENDPOINT_URL`), signed with the credentials configured so
    /// far (the default chain). The client's credential cache keeps the role's credentials and
    /// refreshes them before they expire. `origin` names what set the role, for messages.
    package mutating func assumeRole(arn: String, externalId: String?, sessionName: String?, origin: String, environment: [String: String]) {
        let settings = AssumeRoleCredentialProvider.Settings(
            roleArn: arn, sessionName: sessionName ?? Self.defaultRoleSessionName(), externalId: externalId, region: region
        )
        credentials = AssumeRoleCredentialProvider(settings: settings, source: credentials, origin: origin, environment: environment)
    }

    /// `appflowd-HOSTNAME`, cut to STS's 64 characters of `[\w+=,.@-]` (anything else becomes
    /// `-`): the same at every refresh and restart, so CloudTrail shows which host made a call.
    package static func defaultRoleSessionName(hostName: String? = currentHostName()) -> String {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+=,.@-".unicodeScalars)
        let host = String(String.UnicodeScalarView((hostName ?? "").unicodeScalars.map { allowed.contains($0) ? $0 : "-" }))
        return String(("appflowd-" + host).prefix(64)).trimmingSuffix("-")
    }

    static func currentHostName() -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return nil }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? nil : name
    }
}

extension String {
    fileprivate func trimmingSuffix(_ character: Character) -> String {
        var text = self
        while text.last == character, text.count > 2 { text.removeLast() }
        return text
    }
}
