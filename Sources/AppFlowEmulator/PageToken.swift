import Foundation

/// Opaque pagination tokens: base64 of `scope:position`, so a token from one flow's history
/// is rejected for another.
enum PageToken {
    static func encode(_ position: Int, scope: String) -> String {
        Data("\(scope):\(position)".utf8).base64EncodedString()
    }

    static func decode(_ token: String, scope: String) -> Int? {
        guard let data = Data(base64Encoded: token), let text = String(data: data, encoding: .utf8) else {
            return nil
        }
        let prefix = scope + ":"
        guard text.hasPrefix(prefix), let position = Int(text.dropFirst(prefix.count)), position >= 0 else {
            return nil
        }
        return position
    }
}
