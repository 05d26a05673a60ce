import Testing
@testable import AppFlow

/// Expected codes follow botocore's rest-json parser (parsers.py: BaseJSONParser._do_error_parse,
/// RestJSONParser._inject_error_code, generic HTML/empty 5xx handling).
@Suite(.timeLimit(.minutes(5))) struct ErrorDecodingTests {
    struct Case: Sendable, CustomStringConvertible {
        var status: Int
        var headers: [String: String]
        var body: String
        var code: String
        var message: String
        var description: String { "\(status) \(headers) \(body)" }
    }

    static let cases: [Case] = [
        Case(status: 404, headers: ["x-amzn-ErrorType": "ResourceNotFoundException"], body: #"{"message":"flow x does not exist"}"#,
             code: "ResourceNotFoundException", message: "flow x does not exist"),
        Case(status: 400, headers: ["x-amzn-ErrorType": "ValidationException:http://internal.amazon.com/coral/com.amazonaws.appflow/"],
             body: #"{"Message":"bad token"}"#, code: "ValidationException", message: "bad token"),
        Case(status: 500, headers: [:], body: #"{"__type":"com.amazonaws.appflow#InternalServerException","message":"boom"}"#,
             code: "InternalServerException", message: "boom"),
        Case(status: 409, headers: [:], body: #"{"code":"ConflictException","message":"already running"}"#,
             code: "ConflictException", message: "already running"),
        Case(status: 403, headers: ["X-Amzn-Errortype": "InvalidSignatureException"], body: #"{"message":"sig"}"#,
             code: "InvalidSignatureException", message: "sig"),
        // The header wins over the body's __type, as in botocore.
        Case(status: 429, headers: ["x-amzn-errortype": "ThrottlingException"], body: #"{"__type":"Other","message":"slow down"}"#,
             code: "ThrottlingException", message: "slow down"),
        Case(status: 503, headers: [:], body: "<html><body>Service Unavailable</body></html>", code: "503", message: "Service Unavailable"),
        Case(status: 502, headers: [:], body: "", code: "502", message: "Bad Gateway"),
        Case(status: 400, headers: [:], body: "not json", code: "400", message: "not json"),
        Case(status: 400, headers: [:], body: "{}", code: "400", message: ""),
    ]

    @Test(arguments: cases)
    func decodesLikeBotocore(_ c: Case) {
        let error = AppFlowServiceError.decode(
            statusCode: c.status,
            headers: c.headers.map { (name: $0.key, value: $0.value) },
            body: Array(c.body.utf8)
        )
        #expect(error.code == c.code)
        #expect(error.message == c.message)
        #expect(error.statusCode == c.status)
    }

    @Test func readsRequestIdAndRetryAfter() {
        let error = AppFlowServiceError.decode(
            statusCode: 429,
            headers: [("x-amzn-RequestId", "req-1"), ("Retry-After", " 7 ")],
            body: Array(#"{"message":"m"}"#.utf8)
        )
        #expect(error.requestId == "req-1")
        #expect(error.retryAfter == 7)
    }
}
