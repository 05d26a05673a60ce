import Crypto
import Foundation

/// A parsed `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`.
struct SigV4AuthorizationHeader: Sendable {
    var accessKeyId: String
    var dateStamp: String
    var region: String
    var service: String
    var signedHeaders: String
    var signature: String

    enum Parsed {
        case header(SigV4AuthorizationHeader)
        case failure(SigV4VerificationResult)
    }

    /// Parses the header, or returns the failure AWS would answer with.
    static func parse(_ value: String, hasDateHeader: Bool) -> Parsed {
        let prefix = SigV4Algorithm.algorithm + " "
        var parameters: [String: String] = [:]
        if value.hasPrefix(prefix) {
            for part in value.dropFirst(prefix.count).split(separator: ",") {
                let trimmed = part.trimmingSpaces()
                if trimmed.isEmpty { continue }
                guard let equals = trimmed.firstIndex(of: "=") else {
                    // AWS does not echo a malformed header; it names its hash instead.
                    let digest = Data(SHA256.hash(data: Array(value.utf8))).base64EncodedString()
                    return .failure(.incomplete(
                        "Invalid key=value pair (missing equal-sign) in Authorization header "
                            + "(hashed with SHA-256 and encoded with Base64): '\(digest)'."
                    ))
                }
                parameters[String(trimmed[..<equals])] = String(trimmed[trimmed.index(after: equals)...])
            }
        }
        var missing: [String] = []
        for name in ["Credential", "Signature", "SignedHeaders"] where parameters[name] == nil {
            missing.append("Authorization header requires '\(name)' parameter.")
        }
        if !hasDateHeader {
            missing.append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
        }
        guard missing.isEmpty, let credential = parameters["Credential"],
              let signature = parameters["Signature"], let signedHeaders = parameters["SignedHeaders"]
        else {
            return .failure(.incomplete((missing + ["Authorization=\(value)"]).joined(separator: " ")))
        }
        let scope = credential.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard scope.count == 5, !scope[0].isEmpty, !scope[1].isEmpty, !scope[2].isEmpty, !scope[3].isEmpty else {
            return .failure(.incomplete(
                "Credential should be scoped to a valid region, not '\(scope.count > 2 ? scope[2] : "")'. "
            ))
        }
        guard scope[4] == "aws4_request" else {
            return .failure(.incomplete(
                "Credential should be scoped with a valid terminator: 'aws4_request', not '\(scope[4])'. "
            ))
        }
        return .header(Self(
            accessKeyId: scope[0], dateStamp: scope[1], region: scope[2], service: scope[3],
            signedHeaders: signedHeaders, signature: signature
        ))
    }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var slice = self
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return slice
    }
}
