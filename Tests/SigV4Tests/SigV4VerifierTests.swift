import Foundation
import SigV4
import Testing

/// The verifier accepts what botocore signed and rejects every kind of tampering with
/// AWS's error codes.
@Suite(.timeLimit(.minutes(5))) struct SigV4VerifierTests {
    static let boto3StartFlow = SigV4VectorFile.all.first { $0.name == "appflow-start-flow-boto3" }

    func verifier(for vector: SigV4Vector) -> SigV4Verifier {
        let key = vector.credentials.accessKeyId
        let secret = vector.credentials.secretAccessKey
        return SigV4Verifier(service: vector.service) { $0 == key ? secret : nil }
    }

    func code(_ result: SigV4VerificationResult) -> String? {
        if case .failure(let code, _) = result { return code }
        return nil
    }

    func message(_ result: SigV4VerificationResult) -> String {
        if case .failure(_, let message) = result { return message }
        return ""
    }

    func startFlow() throws -> SigV4Vector {
        try #require(Self.boto3StartFlow)
    }

    @Test(arguments: SigV4VectorFile.all)
    func acceptsEveryBotocoreVector(_ vector: SigV4Vector) {
        let result = verifier(for: vector).verify(vector.wireRequest, now: vector.receivedAt)
        #expect(result == .valid(accessKeyId: vector.credentials.accessKeyId))
    }

    @Test(arguments: SigV4VectorFile.all)
    func acceptsWhatTheSignerSigned(_ vector: SigV4Vector) {
        // Independent of botocore: our own signature round-trips through the verifier.
        var request = vector.sigV4Request
        let added = vector.signer.sign(request, date: vector.signingDate)
        let replaced = Set(added.map { $0.name.lowercased() })
        request.headers.removeAll { replaced.contains($0.name.lowercased()) }
        request.headers += added
        let result = verifier(for: vector).verify(request, now: vector.receivedAt)
        #expect(result == .valid(accessKeyId: vector.credentials.accessKeyId))
    }

    @Test func rejectsTamperedBody() throws {
        let vector = try startFlow()
        var request = vector.wireRequest
        request.body = Array(#"{"flowName": "other-flow", "clientToken": "x"}"#.utf8)
        let result = verifier(for: vector).verify(request, now: vector.receivedAt)
        #expect(code(result) == SigV4VerificationResult.invalidSignature)
        #expect(message(result).hasPrefix("The request signature we calculated does not match"))
    }

    @Test(arguments: ["host", "content-type", "x-amz-date"])
    func rejectsTamperedSignedHeader(_ name: String) throws {
        let vector = try startFlow()
        var request = vector.wireRequest
        let index = try #require(request.headers.firstIndex { $0.name.lowercased() == name })
        // x-amz-date stays well-formed and within the skew so only the signature can catch it.
        request.headers[index].value = name == "x-amz-date" ? "20261125T010018Z" : request.headers[index].value + "x"
        let result = verifier(for: vector).verify(request, now: vector.receivedAt)
        #expect(code(result) == SigV4VerificationResult.invalidSignature)
    }

    @Test func ignoresUnsignedHeaders() throws {
        let vector = try startFlow()
        var request = vector.wireRequest
        request.headers.append((name: "User-Agent", value: "changed by a proxy"))
        request.headers.append((name: "X-Amzn-Trace-Id", value: "Root=1-0-0"))
        let result = verifier(for: vector).verify(request, now: vector.receivedAt)
        #expect(result == .valid(accessKeyId: vector.credentials.accessKeyId))
    }

    @Test func rejectsRemovedSignedHeader() throws {
        let vector = try startFlow()
        var request = vector.wireRequest
        request.headers.removeAll { $0.name.lowercased() == "content-type" }
        #expect(code(verifier(for: vector).verify(request, now: vector.receivedAt)) == "InvalidSignatureException")
    }

    @Test(arguments: ["/start-flow/", "/stop-flow", "/start-flow%20"])
    func rejectsTamperedPath(_ path: String) throws {
        let vector = try startFlow()
        var request = vector.wireRequest
        request.path = path
        #expect(code(verifier(for: vector).verify(request, now: vector.receivedAt)) == "InvalidSignatureException")
    }

    @Test func rejectsTamperedQuery() throws {
        let vector = try #require(SigV4VectorFile.all.first { $0.name == "query-sorting-and-repeats" })
        var request = vector.wireRequest
        request.query += "&extra=1"
        #expect(code(verifier(for: vector).verify(request, now: vector.receivedAt)) == "InvalidSignatureException")
    }

    @Test func rejectsWrongSecret() throws {
        let vector = try startFlow()
        let verifier = SigV4Verifier(service: "appflow") { _ in "a-different-secret-not-real" }
        let result = verifier.verify(vector.wireRequest, now: vector.receivedAt)
        #expect(code(result) == SigV4VerificationResult.invalidSignature)
    }

    @Test func rejectsUnknownAccessKey() throws {
        let vector = try startFlow()
        let verifier = SigV4Verifier(service: "appflow") { _ in nil }
        let result = verifier.verify(vector.wireRequest, now: vector.receivedAt)
        #expect(result == .failure(
            code: "UnrecognizedClientException", message: "The security token included in the request is invalid."
        ))
        #expect(result.httpStatus == 403)
    }

    @Test func rejectsMissingAuthorization() throws {
        let vector = try startFlow()
        var request = vector.wireRequest
        request.headers.removeAll { $0.name.lowercased() == "authorization" }
        let result = verifier(for: vector).verify(request, now: vector.receivedAt)
        #expect(result == .failure(code: "MissingAuthenticationTokenException", message: "Missing Authentication Token"))
    }

    @Test(arguments: [
        "Bearer abc",
        "AWS4-HMAC-SHA256 Credential=AKIDTESTVECTOR/20261125/eu-west-1/appflow/aws4_request",
        "AWS4-HMAC-SHA256 Credential=AKIDTESTVECTOR/20261125/eu-west-1/appflow/aws4_request, SignedHeaders=host",
        "AWS4-HMAC-SHA256 Credential=AKIDTESTVECTOR/20261125/eu-west-1/appflow/aws4_request, SignedHeaders, Signature=00",
        "AWS4-HMAC-SHA256 Credential=AKIDTESTVECTOR/20261125/appflow/aws4_request, SignedHeaders=host, Signature=00",
        "AWS4-HMAC-SHA256 Credential=AKIDTESTVECTOR/20261125/eu-west-1/appflow/aws5, SignedHeaders=host, Signature=00",
        "",
    ])
    func rejectsMalformedAuthorization(_ value: String) throws {
        let vector = try startFlow()
        var request = vector.wireRequest
        let index = try #require(request.headers.firstIndex { $0.name == "Authorization" })
        request.headers[index].value = value
        let result = verifier(for: vector).verify(request, now: vector.receivedAt)
        #expect(code(result) == "IncompleteSignatureException")
        #expect(result.httpStatus == 400)
    }

    @Test func malformedPairIsReportedByHashNotEchoed() throws {
        let vector = try startFlow()
        var request = vector.wireRequest
        let index = try #require(request.headers.firstIndex { $0.name == "Authorization" })
        request.headers[index].value = "AWS4-HMAC-SHA256 Credential=x, SignedHeaders=host, Signature"
        let result = verifier(for: vector).verify(request, now: vector.receivedAt)
        #expect(code(result) == "IncompleteSignatureException")
        #expect(message(result).hasPrefix("Invalid key=value pair (missing equal-sign) in Authorization header"))
        #expect(!message(result).contains("Credential=x"))
    }

    @Test func rejectsMissingDate() throws {
        let vector = try startFlow()
        var request = vector.wireRequest
        request.headers.removeAll { $0.name.lowercased() == "x-amz-date" }
        let result = verifier(for: vector).verify(request, now: vector.receivedAt)
        #expect(code(result) == "IncompleteSignatureException")
        #expect(message(result).contains("'X-Amz-Date' or a 'Date' header"))
    }

    @Test func expiredRequest() throws {
        let vector = try startFlow()  // signed at 2026-11-25T01:00:17Z
        let now = vector.signingDate.addingTimeInterval(15 * 60 + 1)
        let result = verifier(for: vector).verify(vector.wireRequest, now: now)
        #expect(result == .failure(
            code: "InvalidSignatureException",
            message: "Signature expired: 20261125T010017Z is now earlier than 20261125T010018Z (20261125T011518Z - 15 min.)"
        ))
    }

    @Test func requestFromTheFuture() throws {
        let vector = try startFlow()
        let now = vector.signingDate.addingTimeInterval(-(15 * 60 + 1))
        let result = verifier(for: vector).verify(vector.wireRequest, now: now)
        #expect(result == .failure(
            code: "InvalidSignatureException",
            message: "Signature not yet current: 20261125T010017Z is still later than 20261125T010016Z (20261125T004516Z + 15 min.)"
        ))
    }

    @Test(arguments: [-15.0 * 60, 15.0 * 60])
    func acceptsSkewOfExactlyFifteenMinutes(_ offset: Double) throws {
        let vector = try startFlow()
        let result = verifier(for: vector).verify(vector.wireRequest, now: vector.signingDate.addingTimeInterval(offset))
        #expect(result == .valid(accessKeyId: vector.credentials.accessKeyId))
    }

    @Test func rejectsOtherService() throws {
        let vector = try startFlow()
        let verifier = SigV4Verifier(service: "s3") { _ in vector.credentials.secretAccessKey }
        let result = verifier.verify(vector.wireRequest, now: vector.receivedAt)
        #expect(result == .failure(
            code: "InvalidSignatureException", message: "Credential should be scoped to correct service: 's3'. "
        ))
    }

    @Test func rejectsContentHashThatIsNotTheBodys() throws {
        let vector = try startFlow()
        let signer = vector.signer
        var request = vector.sigV4Request
        request.headers.append((name: "X-Amz-Content-SHA256", value: SigV4Algorithm.payloadHash(request.body)))
        request.headers += signer.sign(request, date: vector.signingDate)
        request.body = Array("{}".utf8)
        let result = verifier(for: vector).verify(request, now: vector.receivedAt)
        #expect(code(result) == "InvalidSignatureException")
    }
}
