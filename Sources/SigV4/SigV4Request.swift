/// An HTTP request as it goes on (or came off) the wire, the input to signing and verification.
package struct SigV4Request: Sendable {
    /// The HTTP method, e.g. "POST". Uppercased when canonicalised.
    package var method: String
    /// The path as sent on the wire, already percent-encoded, e.g. "/start-flow".
    /// For non-S3 services it is normalised and percent-encoded once more when signing.
    package var path: String
    /// The raw query string as sent, without "?"; may be "". Signed as sent, pairs sorted.
    package var query: String
    /// Header fields in order; must include "host" (with ":port" when non-default).
    /// Repeated names are allowed and signed as one comma-joined value, in order.
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]

    package init(
        method: String,
        path: String,
        query: String = "",
        headers: [(name: String, value: String)],
        body: [UInt8]
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The first value of a header, matched case-insensitively (ASCII).
    package func firstHeader(named name: String) -> String? {
        for header in headers where SigV4Algorithm.asciiEqualsIgnoringCase(header.name, name) {
            return header.value
        }
        return nil
    }
}
