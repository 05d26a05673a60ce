/// `metrics_listen`: the address `/metrics` is served on, `HOST:PORT` with the host always
/// written out (`127.0.0.1:9464`, `[::1]:9464`, `localhost:9464`). A bare `:PORT` is refused:
/// it would listen on every interface without the file saying so. `0.0.0.0` and `[::]` say
/// it, and are accepted (with a warning from the validator).
package struct MetricsListen: Sendable, Equatable {
    /// Without brackets: `127.0.0.1`, `::1`, `localhost`.
    package var host: String
    package var port: Int

    package struct Problem: Error, Sendable, Equatable {
        package var message: String
    }

    /// Listening on every interface.
    package var isWildcard: Bool { host == "0.0.0.0" || host == "::" }

    package static func parse(_ text: String) -> Result<MetricsListen, Problem> {
        let example = "like \"127.0.0.1:9464\" or \"[::1]:9464\""
        // Port 0 (the kernel picks one) is for tests; the job file's validator refuses it.
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            return .failure(Problem(message: "must be HOST:PORT with a port from 1 to 65535, \(example)"))
        }
        var host = String(text[..<colon])
        if host.isEmpty {
            return .failure(Problem(message: "needs a host: \"\(text)\" would listen on every interface; write \"127.0.0.1\(text)\" for this host only, or \"0.0.0.0\(text)\" to mean every interface"))
        }
        if host.hasPrefix("[") {
            guard host.hasSuffix("]"), host.count > 2 else {
                return .failure(Problem(message: "has an unclosed '[': write an IPv6 host in brackets, \(example)"))
            }
            host = String(host.dropFirst().dropLast())
        } else if host.contains(":") {
            return .failure(Problem(message: "has an IPv6 host without brackets: write \"[\(host)]:\(port)\""))
        }
        guard host.unicodeScalars.allSatisfy(Self.isHostCharacter) else {
            return .failure(Problem(message: "has a host with characters no address or host name has, \(example)"))
        }
        return .success(MetricsListen(host: host, port: port))
    }

    private static func isHostCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || ".-:%_".unicodeScalars.contains(scalar))
    }
}
