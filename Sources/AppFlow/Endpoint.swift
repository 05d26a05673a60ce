import Foundation

/// Where AppFlow requests go: scheme, host, port and a base path.
package struct Endpoint: Sendable, Equatable, CustomStringConvertible {
    package var scheme: String
    package var host: String
    package var port: Int
    package var basePath: String

    package init(scheme: String, host: String, port: Int? = nil, basePath: String = "") {
        self.scheme = scheme
        self.host = host
        self.port = port ?? (scheme == "https" ? 443 : 80)
        self.basePath = basePath.hasSuffix("/") ? String(basePath.dropLast()) : basePath
    }

    /// The `Host` header: the port only when it is not the scheme's default, as botocore does.
    package var hostHeader: String {
        let defaultPort = scheme == "https" ? 443 : 80
        let bracketed = host.contains(":") ? "[\(host)]" : host
        return port == defaultPort ? bracketed : "\(bracketed):\(port)"
    }

    package func url(path: String) -> String {
        "\(scheme)://\(hostHeader)\(basePath)\(path)"
    }

    package var description: String { url(path: "") }

    package struct InvalidEndpoint: Error, Sendable, CustomStringConvertible {
        package var source: String
        package var value: String
        package var description: String { "\(source): '\(value)' is not an http(s) URL" }
    }

    /// Parses an endpoint URL such as `https://appflow.example:8443/prefix`.
    package static func parse(_ text: String, source: String) throws -> Endpoint {
        guard let components = URLComponents(string: text.trimmingCharacters(in: .whitespaces)),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = components.host, !host.isEmpty
        else { throw InvalidEndpoint(source: source, value: text) }
        // URLComponents keeps the brackets of an IPv6 literal; hostHeader adds them back.
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return Endpoint(scheme: scheme, host: bare, port: components.port, basePath: components.percentEncodedPath)
    }
}

/// Resolves the AppFlow endpoint as the AWS SDKs do: a configured endpoint URL
/// (`AWS_ENDPOINT_URL_APPFLOW`, then `AWS_ENDPOINT_URL`, unless
/// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`), else `appflow[-fips].REGION.<partition DNS suffix>`.
package enum EndpointResolver {
    package static func resolve(region: String, environment: [String: String], explicit: String? = nil) throws -> Endpoint {
        if let explicit = explicit.flatMap(nonEmpty) {
            return try Endpoint.parse(explicit, source: "endpoint")
        }
        let ignoreConfigured = environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]?.lowercased() == "true"
        if !ignoreConfigured {
            for name in ["AWS_ENDPOINT_URL_APPFLOW", "AWS_ENDPOINT_URL"] {
                if let value = environment[name].flatMap(nonEmpty) {
                    return try Endpoint.parse(value, source: name)
                }
            }
        }
        let fips = environment["AWS_USE_FIPS_ENDPOINT"]?.lowercased() == "true"
        let service = fips ? "appflow-fips" : "appflow"
        return Endpoint(scheme: "https", host: "\(service).\(region).\(dnsSuffix(region: region))")
    }

    /// The partition's DNS suffix: China regions use `amazonaws.com.cn`.
    package static func dnsSuffix(region: String) -> String {
        if region.hasPrefix("cn-") { return "amazonaws.com.cn" }
        if region.hasPrefix("us-iso-") { return "c2s.ic.gov" }
        if region.hasPrefix("us-isob-") { return "sc2s.sgov.gov" }
        return "amazonaws.com"
    }
}
