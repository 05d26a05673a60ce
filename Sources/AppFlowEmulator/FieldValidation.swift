/// AppFlow's input constraints from the service model, checked by hand because they run on
/// every request and a regex engine would dominate the cost.
enum FieldValidation {
    /// `FlowName`: max 256, pattern `[a-zA-Z0-9][\w!@#.-]+`.
    static func isValidFlowName(_ name: some StringProtocol) -> Bool {
        let bytes = name.utf8
        guard bytes.count >= 2, bytes.count <= 256, let first = bytes.first, isAlphanumeric(first) else {
            return false
        }
        for byte in bytes.dropFirst() {
            switch byte {
            case UInt8(ascii: "_"), UInt8(ascii: "!"), UInt8(ascii: "@"), UInt8(ascii: "#"),
                 UInt8(ascii: "."), UInt8(ascii: "-"):
                continue
            default:
                if !isAlphanumeric(byte) { return false }
            }
        }
        return true
    }

    /// `ClientToken`: length 1...256, pattern `[ -~]+` (printable ASCII).
    static func isValidClientToken(_ token: String) -> Bool {
        let bytes = token.utf8
        guard !bytes.isEmpty, bytes.count <= 256 else { return false }
        return bytes.allSatisfy { $0 >= 0x20 && $0 <= 0x7E }
    }

    /// `NextToken`: max 2048, pattern `\S+`.
    static func isValidNextToken(_ token: String) -> Bool {
        let bytes = token.utf8
        guard !bytes.isEmpty, bytes.count <= 2048 else { return false }
        return !bytes.contains { $0 == 0x20 || ($0 >= 0x09 && $0 <= 0x0D) }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }
}
