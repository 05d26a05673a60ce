import Primitives

/// What the HTTP layer sends for one request.
package struct EmulatorResponse: Sendable {
    package var status: Int
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]
    /// Close the connection instead of answering.
    package var drop: Bool = false
    /// Wait this long before answering (or dropping).
    package var delayMs: Int = 0

    static func json(_ status: Int, _ body: [UInt8], requestId: String?) -> EmulatorResponse {
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json")]
        if let requestId { headers.append(("x-amzn-RequestId", requestId)) }
        return EmulatorResponse(status: status, headers: headers, body: body)
    }

    /// An AWS rest-json error: the code in `x-amzn-ErrorType`, the message in the body.
    static func error(_ error: EmulatorError, requestId: String) -> EmulatorResponse {
        var output = JSONWriter(capacity: 128)
        output.beginObject()
        output.member("message", error.message)
        output.endObject()
        var response = json(error.status, output.bytes, requestId: requestId)
        response.headers.append(("x-amzn-ErrorType", error.code))
        return response
    }
}
