/// Where STS calls go and the region they are signed for (spec §7), a pure function of the settings.
public struct STSEndpoint: Equatable, Sendable, CustomStringConvertible {
    /// `http` or `https`.
    public var scheme: String
    /// Without brackets for an IPv6 literal; lowercase.
    public var host: String
    public var port: UInt16
    /// The request path (`/` unless the endpoint URL names one), with any query it had.
    public var path: String
    /// The region in the SigV4 credential scope.
    public var signingRegion: String
    /// What chose the endpoint, for `-v` and errors: `AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL`,
    /// `profile endpoint_url`, `region us-west-2`, `default`.
    public var origin: String

    /// The `origin` of an endpoint that the profile's `endpoint_url` chose (the variables are named as such).
    public static let profileEndpointOrigin = "profile endpoint_url"

    public init(scheme: String, host: String, port: UInt16, path: String, signingRegion: String, origin: String) {
        self.scheme = scheme; self.host = host; self.port = port; self.path = path
        self.signingRegion = signingRegion; self.origin = origin
    }

    /// `host[:port]` as sent in `Host` and signed: the port only when it is not the scheme's default.
    public var authority: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return port == defaultPort ? h : "\(h):\(port)"
    }

    var defaultPort: UInt16 { scheme == "https" ? 443 : 80 }

    public var description: String { "\(scheme)://\(authority)\(path)" }

    /// Resolves the endpoint: `AWS_ENDPOINT_URL_STS`, else `AWS_ENDPOINT_URL`, else the profile's
    /// `endpoint_url` (none of them when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`), else the regional
    /// endpoint of `region` (`.amazonaws.com.cn` for `cn-*`, `sts-fips` with `AWS_USE_FIPS_ENDPOINT=true`),
    /// else the global `https://sts.amazonaws.com` signed for `us-east-1`. A configured URL is signed for
    /// `region`, or `us-east-1` when none is known. `region` is the one the SDKs resolve
    /// (`AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`).
    public static func resolve(environment: EnvironmentLookup, profileEndpointURL: String?, region: String?) throws(UsageError) -> STSEndpoint {
        if let region { try validateRegion(region) }
        let ignoreConfigured = try flag(environment, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
        let fips = try flag(environment, "AWS_USE_FIPS_ENDPOINT")
        if !ignoreConfigured {
            let configured: [(String, String?)] = [
                ("AWS_ENDPOINT_URL_STS", environment["AWS_ENDPOINT_URL_STS"]),
                ("AWS_ENDPOINT_URL", environment["AWS_ENDPOINT_URL"]),
                (profileEndpointOrigin, profileEndpointURL.flatMap { $0.isEmpty ? nil : $0 }),
            ]
            for case let (origin, text?) in configured {
                return try parse(text, origin: origin, signingRegion: region ?? "us-east-1")
            }
        }
        guard let region else {
            if fips {
                return STSEndpoint(scheme: "https", host: "sts-fips.us-east-1.amazonaws.com", port: 443, path: "/",
                                   signingRegion: "us-east-1", origin: "default (FIPS)")
            }
            return STSEndpoint(scheme: "https", host: "sts.amazonaws.com", port: 443, path: "/", signingRegion: "us-east-1", origin: "default")
        }
        return STSEndpoint(scheme: "https", host: "\(fips ? "sts-fips" : "sts").\(region).\(dnsSuffix(region: region))", port: 443,
                           path: "/", signingRegion: region, origin: "region \(region)\(fips ? " (FIPS)" : "")")
    }

    /// The partition's DNS suffix: China, the US ISO partitions, else the commercial one.
    static func dnsSuffix(region: String) -> String {
        if region.hasPrefix("cn-") { return "amazonaws.com.cn" }
        if region.hasPrefix("us-isob-") { return "sc2s.sgov.gov" }
        if region.hasPrefix("us-iso-") { return "c2s.ic.gov" }
        return "amazonaws.com"
    }

    /// A region goes into a host name: lowercase letters, digits and `-`, 1 to 63 characters.
    static func validateRegion(_ region: String) throws(UsageError) {
        guard (1...63).contains(region.count), region.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }),
              region.first != "-", region.last != "-" else {
            throw UsageError("region '\(region.quotable(limit: 40))' is not a region name (like us-west-2)")
        }
    }

    static func flag(_ environment: EnvironmentLookup, _ name: String) throws(UsageError) -> Bool {
        guard let text = environment[name] else { return false }
        switch text.lowercased() {
        case "true": return true
        case "false": return false
        default: throw UsageError("\(name) must be true or false, not '\(text.quotable(limit: 40))'")
        }
    }

    /// Parses an `http(s)://host[:port][/path]` endpoint URL.
    static func parse(_ text: String, origin: String, signingRegion: String) throws(UsageError) -> STSEndpoint {
        func bad(_ why: String) -> UsageError { UsageError("\(origin): \(why): '\(text.quotable(limit: 100))'") }
        let lower = text.lowercased()
        let scheme: String
        if lower.hasPrefix("https://") { scheme = "https" } else if lower.hasPrefix("http://") { scheme = "http" } else {
            throw bad("an endpoint URL must start with https:// or http://")
        }
        var rest = Substring(text.dropFirst(scheme.count + 3))
        var path = "/"
        if let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) {
            path = String(rest[slash...])
            rest = rest[..<slash]
        }
        if let hash = path.firstIndex(of: "#") { path = String(path[..<hash]) }
        if path.hasPrefix("?") { path = "/" + path }
        if path.isEmpty { path = "/" }
        guard !rest.contains("@") else { throw bad("user information is not allowed in an endpoint URL") }
        var host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw bad("unclosed [ in the host") }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw bad("unexpected text after ]") }
                portText = after.dropFirst()
            }
            guard host.contains(":") else { throw bad("brackets around a host that is not IPv6") }
        } else if let colon = rest.firstIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
        }
        guard !host.isEmpty else { throw bad("no host") }
        guard host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ".-:_%".contains($0)) }) else { throw bad("bad character in the host") }
        var port: UInt16 = scheme == "https" ? 443 : 80
        if let portText {
            guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let value = UInt16(portText), value > 0 else { throw bad("bad port") }
            port = value
        }
        guard path.allSatisfy({ $0.isASCII && $0 > " " && $0 != "\u{7F}" }) else { throw bad("bad character in the path") }
        return STSEndpoint(scheme: scheme, host: String(host).lowercased(), port: port, path: path,
                           signingRegion: signingRegion, origin: origin)
    }
}
