import Foundation
import SigV4

extension AppFlowClient {
    /// A StartFlow request signed ahead of its fire time: its body and headers, the credentials
    /// and the second (`X-Amz-Date`) it was signed with.
    struct Presigned: Sendable {
        var body: [UInt8]
        var headers: [(name: String, value: String)]
        var credentials: SigV4Credentials
        var dateSeconds: Int64

        /// Whether it can go out as it is: the same body, the credentials still current, and a
        /// signing date AWS accepts (within five minutes of now; a minute of margin is kept).
        func fits(body: [UInt8], credentials: SigV4Credentials, nowSeconds: Double) -> Bool {
            body == self.body && credentials == self.credentials && abs(nowSeconds - Double(dateSeconds)) < Self.validSeconds
        }

        static let validSeconds: Double = 240
    }

    /// At most this many requests wait signed; past it, the oldest dates are dropped first.
    static let maxPresigned = 100_000

    static func startFlowBody(flowName: String, clientToken: String?) -> [UInt8] {
        JSONBody.object([
            ("flowName", .string(flowName)),
            ("clientToken", clientToken.map { .string($0) } ?? .absent),
        ])
    }

    /// Signs these StartFlow requests now, each dated at its fire time's second, so that at the
    /// fire time the request is written as it is (issue 13: nothing computed at the deadline).
    /// `startFlow` with the same flow and token uses it when the credentials have not changed
    /// since and the date is still accepted; otherwise it signs anew. Without credentials now,
    /// nothing is signed (the call will meet, and report, that problem).
    package func presignStartFlows(_ starts: [(flowName: String, clientToken: String, fireSeconds: Int64)]) async {
        guard !starts.isEmpty, let credentials = try? await credentialCache.credentials() else { return }
        var made: [(String, Presigned)] = []
        made.reserveCapacity(starts.count)
        for start in starts {
            let body = Self.startFlowBody(flowName: start.flowName, clientToken: start.clientToken)
            let date = Date(timeIntervalSince1970: Double(start.fireSeconds))
            let headers = signedHeaders(path: "/start-flow", body: body, credentials: credentials.signing, date: date)
            made.append((start.clientToken, Presigned(body: body, headers: headers, credentials: credentials.signing, dateSeconds: start.fireSeconds)))
        }
        let nowSeconds = now().timeIntervalSince1970
        presigned.withLock { cache in
            cache = cache.filter { Double($0.value.dateSeconds) > nowSeconds - Presigned.validSeconds }
            for (token, entry) in made { cache[token] = entry }
            if cache.count > Self.maxPresigned {
                let oldest = cache.sorted { $0.value.dateSeconds < $1.value.dateSeconds }.prefix(cache.count - Self.maxPresigned)
                for (token, _) in oldest { cache[token] = nil }
            }
        }
    }

    /// The request signed ahead for this token, taken out of the cache (a retry signs anew).
    func takePresigned(_ clientToken: String) -> Presigned? {
        presigned.withLock { $0.removeValue(forKey: clientToken) }
    }

    /// How many requests wait signed, and how many went out as signed ahead (tests).
    package var presignedCount: Int { presigned.withLock { $0.count } }
    package var presignedSendCount: Int { presignedSends.load(ordering: .relaxed) }
}
