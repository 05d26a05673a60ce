import Foundation

/// An error answered by the AppFlow endpoint, decoded the way the AWS SDKs decode rest-json errors.
package struct AppFlowServiceError: Error, Sendable, Equatable, CustomStringConvertible {
    package var code: String
    package var message: String
    package var statusCode: Int
    package var requestId: String?
    /// Seconds from a `Retry-After` header, when the endpoint sent one.
    package var retryAfter: Double?

    package init(code: String, message: String, statusCode: Int, requestId: String? = nil, retryAfter: Double? = nil) {
        self.code = code
        self.message = message
        self.statusCode = statusCode
        self.requestId = requestId
        self.retryAfter = retryAfter
    }

    package var description: String {
        message.isEmpty ? code : "\(code): \(message)"
    }

    /// Decodes an error response as botocore's rest-json parser does: the code comes from the
    /// `x-amzn-ErrorType` header, else the body's `code`/`Code`, else its `__type`, else the status;
    /// anything after `:` and before `#` is dropped. A body that is not JSON becomes the message.
    package static func decode(statusCode: Int, headers: [(name: String, value: String)], body: [UInt8]) -> AppFlowServiceError {
        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name }?.value
        }
        let trimmed = body.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        var fields: [String: Any] = [:]
        var message = ""
        if !trimmed.isEmpty {
            if let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] {
                fields = object
            } else if statusCode >= 500 && trimmed.starts(with: Array("<html>".utf8)) {
                message = HTTPStatus.phrase(statusCode)
            } else {
                message = String(decoding: body.prefix(512), as: UTF8.self)
            }
        } else if statusCode >= 500 {
            message = HTTPStatus.phrase(statusCode)
        }
        if let text = (fields["message"] ?? fields["Message"]) as? String {
            message = text
        }
        var code = (fields["__type"] as? String) ?? String(statusCode)
        if let fromHeader = header("x-amzn-errortype") {
            code = fromHeader
        } else if let fromBody = (fields["code"] ?? fields["Code"]) as? String {
            code = fromBody
        }
        code = normalize(code)
        let retryAfter = header("retry-after").flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        return AppFlowServiceError(
            code: code,
            message: message,
            statusCode: statusCode,
            requestId: header("x-amzn-requestid"),
            retryAfter: retryAfter.map { max(0, $0) }
        )
    }

    static func normalize(_ code: String) -> String {
        let beforeColon = code.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? code
        if let hash = beforeColon.lastIndex(of: "#") {
            return String(beforeColon[beforeColon.index(after: hash)...])
        }
        return beforeColon
    }
}

/// A failure to reach the endpoint or to read its answer: no AppFlow error code came back.
package struct AppFlowTransportError: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Kind: String, Sendable {
        case connect = "ConnectionError"
        case timeout = "Timeout"
        case connectionClosed = "ConnectionClosed"
        case tls = "TLSError"
        case malformedResponse = "MalformedResponse"
        case other = "TransportError"
    }
    package var kind: Kind
    package var detail: String
    /// The endpoint answered HTTP 2xx (it accepted the call) but the answer could not be read.
    package var accepted: Bool

    package init(_ kind: Kind, _ detail: String, accepted: Bool = false) {
        self.kind = kind
        self.detail = detail
        self.accepted = accepted
    }

    package var code: String { kind.rawValue }
    package var description: String { "\(kind.rawValue): \(detail)" }
}

enum HTTPStatus {
    static func phrase(_ status: Int) -> String {
        switch status {
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: "HTTP \(status)"
        }
    }
}
