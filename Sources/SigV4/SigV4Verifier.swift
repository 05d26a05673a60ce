import Crypto
import Foundation

/// Verifies SigV4-signed requests the way an AWS endpoint does, for the emulator: it
/// recomputes the signature from the Authorization header's credential scope (any region)
/// and SignedHeaders over the request as received, and answers with AWS's error codes.
package struct SigV4Verifier: Sendable {
    /// How far the request's X-Amz-Date may be from now, either way (AWS allows 15 minutes).
    package static let allowedSkew: Int64 = 15 * 60

    package let service: String
    private let secretForAccessKey: @Sendable (String) -> String?
    private let keyCache = SigV4SigningKeyCache(capacity: 256)

    /// `secretForAccessKey` returns the secret for a key id, or nil if unknown.
    package init(service: String, secretForAccessKey: @escaping @Sendable (String) -> String?) {
        self.service = service
        self.secretForAccessKey = secretForAccessKey
    }

    /// Recomputes the signature from the Authorization header's credential scope (any region)
    /// and SignedHeaders, over the request as received.
    package func verify(_ request: SigV4Request, now: Date) -> SigV4VerificationResult {
        guard let authorizationValue = request.firstHeader(named: "authorization") else {
            return .missingAuthentication()
        }
        let amzDateValue = request.firstHeader(named: "x-amz-date")
        let authorization: SigV4AuthorizationHeader
        switch SigV4AuthorizationHeader.parse(authorizationValue, hasDateHeader: amzDateValue != nil) {
        case .failure(let result): return result
        case .header(let header): authorization = header
        }
        guard let amzDateValue, let timestamp = SigV4Timestamp(amzDate: amzDateValue) else {
            return .incomplete(
                "Date must be in ISO-8601 'basic format'. Got '\(amzDateValue ?? "")'. "
                    + "See http://en.wikipedia.org/wiki/ISO_8601"
            )
        }
        guard authorization.service == service else {
            return .invalid("Credential should be scoped to correct service: '\(service)'. ")
        }
        guard authorization.dateStamp == timestamp.dateStamp else {
            return .invalid(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
                    + "'\(authorization.dateStamp)' != '\(timestamp.dateStamp)', from '\(amzDateValue)'."
            )
        }
        if let skewFailure = Self.checkSkew(timestamp, now: now) { return skewFailure }

        let signedNames = authorization.signedHeaders.split(separator: ";", omittingEmptySubsequences: false)
            .map { String($0) }
        guard signedNames.contains("host") else {
            return .invalid("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
        }
        guard let secret = secretForAccessKey(authorization.accessKeyId) else {
            return .unrecognized()
        }

        let payloadHash = SigV4Algorithm.payloadHash(request.body)
        var signedPayloadHash = payloadHash
        if let declared = request.firstHeader(named: "x-amz-content-sha256") {
            // The client signed the declared hash; it is only believed when it is the real one,
            // or when the client explicitly chose not to sign the payload.
            guard declared == payloadHash || declared == "UNSIGNED-PAYLOAD" else {
                return .invalid("The provided 'x-amz-content-sha256' header does not match what was computed.")
            }
            signedPayloadHash = declared
        }

        let signedSet = Set(signedNames)
        let headers = request.headers.filter { signedSet.contains($0.name.lowercased()) }
        let block = SigV4Algorithm.canonicalHeaderBlock(headers)
        // A signed header that is missing (or SignedHeaders not in canonical order) cannot match.
        guard block.signed.elementsEqual(authorization.signedHeaders.utf8) else {
            return .signatureMismatch()
        }
        let canonicalRequest = SigV4Algorithm.canonicalRequestBytes(
            method: request.method, path: request.path, query: request.query,
            canonicalHeaders: block.canonical, signedHeaders: block.signed, payloadHash: signedPayloadHash
        )
        let scope = SigV4Algorithm.credentialScope(
            dateStamp: authorization.dateStamp, region: authorization.region, service: authorization.service
        )
        let stringToSign = SigV4Algorithm.stringToSign(
            amzDate: amzDateValue, credentialScope: scope, canonicalRequest: canonicalRequest
        )
        let key = keyCache.signingKey(
            secretAccessKey: secret, dateStamp: authorization.dateStamp,
            region: authorization.region, service: authorization.service
        )
        let expected = HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key)
        guard let provided = Self.bytes(fromHex: authorization.signature),
              Self.constantTimeEqual(Array(expected), provided)
        else {
            return .signatureMismatch()
        }
        return .valid(accessKeyId: authorization.accessKeyId)
    }

    /// AWS's wording for a request dated more than 15 minutes from now.
    static func checkSkew(_ timestamp: SigV4Timestamp, now: Date) -> SigV4VerificationResult? {
        let nowTimestamp = SigV4Timestamp(now)
        let delta = timestamp.epochSeconds - nowTimestamp.epochSeconds
        if delta < -allowedSkew {
            let bound = SigV4Timestamp(Date(timeIntervalSince1970: TimeInterval(nowTimestamp.epochSeconds - allowedSkew)))
            return .invalid(
                "Signature expired: \(timestamp.amzDate) is now earlier than \(bound.amzDate) "
                    + "(\(nowTimestamp.amzDate) - 15 min.)"
            )
        }
        if delta > allowedSkew {
            let bound = SigV4Timestamp(Date(timeIntervalSince1970: TimeInterval(nowTimestamp.epochSeconds + allowedSkew)))
            return .invalid(
                "Signature not yet current: \(timestamp.amzDate) is still later than \(bound.amzDate) "
                    + "(\(nowTimestamp.amzDate) + 15 min.)"
            )
        }
        return nil
    }

    private static func bytes(fromHex hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count == 64 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(32)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        default: return nil  // AWS signatures are lowercase hex
        }
    }

    private static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }
}
