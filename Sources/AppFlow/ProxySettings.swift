import AsyncHTTPClient

/// `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY`, as the AWS SDKs and curl read them.
package struct ProxySettings: Sendable, Equatable {
    package var httpsProxy: Endpoint?
    package var httpProxy: Endpoint?
    package var noProxy: [String]

    package init(environment: [String: String]) throws {
        func value(_ name: String) -> String? {
            environment[name].flatMap(nonEmpty) ?? environment[name.lowercased()].flatMap(nonEmpty)
        }
        httpsProxy = try value("HTTPS_PROXY").map { try Endpoint.parse($0, source: "HTTPS_PROXY") }
        httpProxy = try value("HTTP_PROXY").map { try Endpoint.parse($0, source: "HTTP_PROXY") }
        noProxy = (value("NO_PROXY") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
    }

    /// Is the host excluded by `NO_PROXY` (exact name, domain suffix, or `*`)?
    package func bypasses(host: String) -> Bool {
        let host = host.lowercased()
        return noProxy.contains { entry in
            if entry == "*" { return true }
            let suffix = entry.hasPrefix(".") ? String(entry.dropFirst()) : entry
            return host == suffix || host.hasSuffix("." + suffix)
        }
    }

    func proxy(for endpoint: Endpoint) -> HTTPClient.Configuration.Proxy? {
        guard !bypasses(host: endpoint.host) else { return nil }
        guard let proxy = endpoint.scheme == "https" ? httpsProxy : httpProxy else { return nil }
        return .server(host: proxy.host, port: proxy.port)
    }
}
