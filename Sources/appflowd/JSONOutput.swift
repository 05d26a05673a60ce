import Foundation

/// Stable, compact JSON for scripts: keys in the order given, nulls kept.
enum JSONOutput {
    static func object(_ pairs: [(String, String?)]) -> String {
        let body = pairs.map { key, value in
            "\(quote(key)):\(value.map(quote) ?? "null")"
        }
        return "{" + body.joined(separator: ",") + "}"
    }

    static func error(code: String, message: String) -> String {
        "{\"error\":" + object([("code", code), ("message", message)]) + "}"
    }

    static func quote(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])) ?? Data("[\"\"]".utf8)
        let array = String(decoding: data, as: UTF8.self)
        return String(array.dropFirst().dropLast())
    }
}
