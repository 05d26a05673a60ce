import Primitives

/// Stable, compact JSON for scripts: keys in the order given, nulls kept.
enum JSONOutput {
    static func object(_ pairs: [(String, String?)]) -> String {
        var json = JSONWriter()
        write(pairs, to: &json)
        return String(decoding: json.bytes, as: UTF8.self)
    }

    static func error(code: String, message: String) -> String {
        var json = JSONWriter()
        json.beginObject()
        json.key("error")
        write([("code", code), ("message", message)], to: &json)
        json.endObject()
        return String(decoding: json.bytes, as: UTF8.self)
    }

    private static func write(_ pairs: [(String, String?)], to json: inout JSONWriter) {
        json.beginObject()
        for (key, value) in pairs {
            json.key(key)
            if let value { json.string(value) } else { json.null() }
        }
        json.endObject()
    }
}
