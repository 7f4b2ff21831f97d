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
        let h = IPAddress.bracketed(host)
        return port == defaultPort ? h : "\(h):\(port)"
    }

    var defaultPort: UInt16 { scheme == "https" ? 443 : 80 }

    public var description: String { "\(scheme)://\(authority)\(path)" }

    /// The profile's endpoint settings (each nil when the profile does not set it); the variables win.
    public struct ProfileKeys: Equatable, Sendable {
        /// `endpoint_url`.
        public var endpointURL: String?
        /// `endpoint_url` under `sts =` of the `[services NAME]` section the profile's `services` names.
        public var servicesEndpointURL: String?
        /// `use_fips_endpoint`, `use_dualstack_endpoint`, `ignore_configured_endpoint_urls`: `true`/`false`.
        public var useFIPS: String?
        public var useDualStack: String?
        public var ignoreConfiguredEndpointURLs: String?

        public init(endpointURL: String? = nil, servicesEndpointURL: String? = nil, useFIPS: String? = nil,
                    useDualStack: String? = nil, ignoreConfiguredEndpointURLs: String? = nil) {
            self.endpointURL = endpointURL; self.servicesEndpointURL = servicesEndpointURL; self.useFIPS = useFIPS
            self.useDualStack = useDualStack; self.ignoreConfiguredEndpointURLs = ignoreConfiguredEndpointURLs
        }
    }

    /// The `origin` of an endpoint that the `[services NAME]` section's `sts = endpoint_url` chose.
    public static let servicesEndpointOrigin = "profile services sts endpoint_url"

    /// Resolves the endpoint: `AWS_ENDPOINT_URL_STS`, else `AWS_ENDPOINT_URL`, else the `[services]`
    /// section's `sts = endpoint_url`, else the profile's `endpoint_url` (none of them when
    /// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` or the profile's `ignore_configured_endpoint_urls` is true),
    /// else the SDKs' endpoint rules for `region` (botocore's and smithy's STS `endpoint-rule-set-1.json`):
    /// `sts.REGION.DNS` (`amazonaws.com.cn` for `cn-*`), with FIPS `sts-fips.REGION.DNS` except in
    /// `us-gov-*` (whose regional host already is FIPS), with dual-stack `sts.REGION.api.aws` (both:
    /// `sts-fips.REGION.api.aws`). Without a region: the global `https://sts.amazonaws.com` signed for
    /// `us-east-1`; FIPS or dual-stack without a region is an error ("Missing Region" in the rules: there
    /// is no global FIPS host, and `sts-fips.aws-global…`, botocore's answer, does not exist). A
    /// configured URL is used as given, signed for `region` (or `us-east-1`). The variables win over the
    /// profile's keys. `region` is the one the SDKs resolve (`AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's).
    public static func resolve(environment: EnvironmentLookup, profileEndpointURL: String?, region: String?,
                               profile: ProfileKeys = ProfileKeys()) throws(UsageError) -> STSEndpoint {
        if let region { try validateRegion(region) }
        let ignoreConfigured = try flag(environment, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", profile.ignoreConfiguredEndpointURLs, "ignore_configured_endpoint_urls")
        let fips = try flag(environment, "AWS_USE_FIPS_ENDPOINT", profile.useFIPS, "use_fips_endpoint")
        let dualStack = try flag(environment, "AWS_USE_DUALSTACK_ENDPOINT", profile.useDualStack, "use_dualstack_endpoint")
        if !ignoreConfigured {
            let configured: [(String, String?)] = [
                ("AWS_ENDPOINT_URL_STS", environment["AWS_ENDPOINT_URL_STS"]),
                ("AWS_ENDPOINT_URL", environment["AWS_ENDPOINT_URL"]),
                (servicesEndpointOrigin, profile.servicesEndpointURL.flatMap { $0.isEmpty ? nil : $0 }),
                (profileEndpointOrigin, (profileEndpointURL ?? profile.endpointURL).flatMap { $0.isEmpty ? nil : $0 }),
            ]
            for case let (origin, text?) in configured {
                return try parse(text, origin: origin, signingRegion: region ?? "us-east-1")
            }
        }
        let variant = fips && dualStack ? " (FIPS, dual-stack)" : fips ? " (FIPS)" : dualStack ? " (dual-stack)" : ""
        guard let region else {
            guard !fips && !dualStack else {
                throw UsageError("STS has no global\(variant) endpoint: set a region (AWS_REGION or the profile's region) to use one")
            }
            return STSEndpoint(scheme: "https", host: "sts.amazonaws.com", port: 443, path: "/", signingRegion: "us-east-1", origin: "default")
        }
        let host: String
        if dualStack {
            guard let suffix = dualStackDNSSuffix(region: region) else {
                throw UsageError("region \(region) has no dual-stack STS endpoint (AWS_USE_DUALSTACK_ENDPOINT or use_dualstack_endpoint)")
            }
            host = "\(fips ? "sts-fips" : "sts").\(region).\(suffix)"
        } else if fips && !region.hasPrefix("us-gov-") {
            host = "sts-fips.\(region).\(dnsSuffix(region: region))"
        } else {
            host = "sts.\(region).\(dnsSuffix(region: region))"
        }
        return STSEndpoint(scheme: "https", host: host, port: 443, path: "/", signingRegion: region, origin: "region \(region)\(variant)")
    }

    /// The partition's dual-stack DNS suffix; nil for the ISO partitions, which have none.
    static func dualStackDNSSuffix(region: String) -> String? {
        if region.hasPrefix("cn-") { return "api.amazonwebservices.com.cn" }
        if region.hasPrefix("us-iso") { return nil }
        return "api.aws"
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

    /// The variable `name`, else the profile's `key` (`profileValue`), as `true`/`false` (any case); false when neither is set.
    static func flag(_ environment: EnvironmentLookup, _ name: String, _ profileValue: String? = nil, _ key: String = "") throws(UsageError) -> Bool {
        let (origin, text): (String, String)
        if let value = environment[name] { (origin, text) = (name, value) } else if let value = profileValue, !value.isEmpty {
            (origin, text) = ("the profile's \(key)", value)
        } else { return false }
        return try IAMValues.boolean(text, from: origin)
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
