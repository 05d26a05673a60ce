import Foundation

/// Signs requests with AWS Signature Version 4 exactly as botocore's `SigV4Auth` does for
/// rest-json services: same signed headers, canonical forms and payload hash, so that a
/// request signed here and one signed by boto3 carry the same Authorization.
///
/// Differences from botocore, by design: the host is never derived from a URL (the request
/// must carry a `host` header), and a `Date` header does not replace `X-Amz-Date`.
package struct SigV4Signer: Sendable {
    package let credentials: SigV4Credentials
    package let region: String
    package let service: String
    private let keyCache: SigV4SigningKeyCache

    package init(credentials: SigV4Credentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.keyCache = SigV4SigningKeyCache(capacity: 4)
    }

    /// Headers to add before sending: X-Amz-Date, X-Amz-Security-Token (when a session token
    /// is set), Authorization. Replace any existing headers of those names with them.
    package func sign(_ request: SigV4Request, date: Date) -> [(name: String, value: String)] {
        steps(request, date: date).headersToAdd
    }

    /// The whole computation behind `sign`, step by step.
    package func steps(_ request: SigV4Request, date: Date) -> SigV4SigningSteps {
        let timestamp = SigV4Timestamp(date)
        let token = credentials.sessionToken

        // As botocore: a previous Authorization and X-Amz-Date (a retry) are replaced, and so
        // is X-Amz-Security-Token when we send our own; every other header is signed unless
        // it is one botocore never signs.
        var headers: [(name: String, value: String)] = []
        headers.reserveCapacity(request.headers.count + 2)
        var contentSHA256: String?
        for header in request.headers {
            let name = header.name.lowercased()
            if name == "authorization" || name == "x-amz-date" { continue }
            if name == "x-amz-security-token", token != nil { continue }
            if SigV4Algorithm.unsignedHeaderNames.contains(name) { continue }
            if name == "x-amz-content-sha256", contentSHA256 == nil { contentSHA256 = header.value }
            headers.append(header)
        }
        headers.append((name: "X-Amz-Date", value: timestamp.amzDate))
        if let token { headers.append((name: "X-Amz-Security-Token", value: token)) }

        // botocore uses a caller-supplied X-Amz-Content-SHA256 (e.g. UNSIGNED-PAYLOAD) as is.
        let payloadHash = contentSHA256 ?? SigV4Algorithm.payloadHash(request.body)
        let block = SigV4Algorithm.canonicalHeaderBlock(headers)
        let canonicalRequest = SigV4Algorithm.canonicalRequestBytes(
            method: request.method, path: request.path, query: request.query,
            canonicalHeaders: block.canonical, signedHeaders: block.signed, payloadHash: payloadHash
        )
        let dateStamp = timestamp.dateStamp
        let scope = SigV4Algorithm.credentialScope(dateStamp: dateStamp, region: region, service: service)
        let stringToSign = SigV4Algorithm.stringToSign(
            amzDate: timestamp.amzDate, credentialScope: scope, canonicalRequest: canonicalRequest
        )
        let key = keyCache.signingKey(
            secretAccessKey: credentials.secretAccessKey, dateStamp: dateStamp, region: region, service: service
        )
        let signature = SigV4Algorithm.signature(signingKey: key, stringToSign: stringToSign)
        let signedHeaders = String(decoding: block.signed, as: UTF8.self)
        let authorization = "\(SigV4Algorithm.algorithm) Credential=\(credentials.accessKeyId)/\(scope), "
            + "SignedHeaders=\(signedHeaders), Signature=\(signature)"

        var added: [(name: String, value: String)] = [(name: "X-Amz-Date", value: timestamp.amzDate)]
        if let token { added.append((name: "X-Amz-Security-Token", value: token)) }
        added.append((name: "Authorization", value: authorization))

        return SigV4SigningSteps(
            timestamp: timestamp,
            canonicalRequest: String(decoding: canonicalRequest, as: UTF8.self),
            credentialScope: scope,
            stringToSign: stringToSign,
            signingKeyHex: SigV4Algorithm.hex(key),
            signedHeaders: signedHeaders,
            signature: signature,
            authorization: authorization,
            headersToAdd: added
        )
    }
}
