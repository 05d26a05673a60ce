import Foundation
import SigV4
import Testing

/// One case of Vectors/vectors.json, signed by botocore (scripts/gen-sigv4-vectors.py).
struct SigV4Vector: Decodable, Sendable, CustomTestStringConvertible {
    struct Credentials: Decodable, Sendable {
        var accessKeyId: String
        var secretAccessKey: String
        var sessionToken: String?
    }

    struct Request: Decodable, Sendable {
        var method: String
        var path: String
        var query: String
        var headers: [[String]]
        var bodyBase64: String
    }

    struct Expected: Decodable, Sendable {
        var canonicalRequest: String
        var stringToSign: String
        var credentialScope: String
        var signingKeyHex: String
        var signedHeaders: String
        var signature: String
        var authorization: String
        var addedHeaders: [[String]]
    }

    var name: String
    var description: String
    var credentials: Credentials
    var region: String
    var service: String
    var date: String
    var epochSeconds: Double
    var request: Request
    var unsignedWireHeaders: [[String]]
    var expected: Expected

    var testDescription: String { name }

    var signingDate: Date { Date(timeIntervalSince1970: epochSeconds) }

    var sigV4Credentials: SigV4Credentials {
        SigV4Credentials(
            accessKeyId: credentials.accessKeyId,
            secretAccessKey: credentials.secretAccessKey,
            sessionToken: credentials.sessionToken
        )
    }

    var signer: SigV4Signer {
        SigV4Signer(credentials: sigV4Credentials, region: region, service: service)
    }

    /// The request handed to the signer.
    var sigV4Request: SigV4Request {
        SigV4Request(
            method: request.method,
            path: request.path,
            query: request.query,
            headers: Self.pairs(request.headers),
            body: Array(Data(base64Encoded: request.bodyBase64) ?? Data())
        )
    }

    /// The request as a server receives it: the signer's headers replace any of the same
    /// name, and the ones added after signing (SDK bookkeeping, Content-Length) follow.
    var wireRequest: SigV4Request {
        var wire = sigV4Request
        let added = Self.pairs(expected.addedHeaders)
        let replaced = Set(added.map { $0.name.lowercased() })
        wire.headers.removeAll { replaced.contains($0.name.lowercased()) }
        wire.headers += added + Self.pairs(unsignedWireHeaders)
        return wire
    }

    /// A moment shortly after signing, well inside the allowed clock skew.
    var receivedAt: Date { signingDate.addingTimeInterval(42) }

    static func pairs(_ list: [[String]]) -> [(name: String, value: String)] {
        list.map { (name: $0[0], value: $0[1]) }
    }
}

struct SigV4VectorFile: Decodable, Sendable {
    var botocoreVersion: String
    var vectors: [SigV4Vector]

    struct MissingResource: Error, CustomStringConvertible {
        var description: String { "Vectors/vectors.json is not in the test bundle" }
    }

    static func load() throws -> Self {
        guard let url = Bundle.module.url(forResource: "vectors", withExtension: "json", subdirectory: "Vectors") else {
            throw MissingResource()
        }
        return try JSONDecoder().decode(Self.self, from: Data(contentsOf: url))
    }

    /// For `@Test(arguments:)`; `vectorsLoad` fails loudly if this is empty.
    static let all: [SigV4Vector] = (try? load().vectors) ?? []
}
