/// Text from outside (an endpoint's error message, an execution id, a ledger line) made safe to
/// print on a terminal: control characters, line and paragraph separators and the bidirectional
/// overrides are written as `\n`, `\r`, `\t` or `\u{..}`, so the text cannot move the cursor,
/// change colours, retitle the window, reorder what is shown or add a line.
package enum TerminalText {
    package static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where needsEscape(scalar): result += "\\u{" + String(scalar.value, radix: 16) + "}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x2028, 0x2029: true  // line and paragraph separators
        case 0x202A...0x202E, 0x2066...0x2069: true  // bidirectional embeddings, overrides, isolates
        default: scalar.properties.generalCategory == .control
        }
    }
}
