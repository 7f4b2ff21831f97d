/// An `http://` or `https://host[:port][/path]` URL.
public struct HTTPURL: Equatable, Sendable, CustomStringConvertible {
    /// `http` (plain) or `https` (TLS, see `TLSContext`).
    public enum Scheme: String, Sendable {
        case http, https
        /// 80 or 443.
        public var defaultPort: UInt16 { self == .https ? 443 : 80 }
    }
    public var scheme: Scheme
    public var host: String       // without brackets for IPv6 literals
    public var port: UInt16
    public var path: String       // starts with "/"

    /// A URL; `port` defaults to the scheme's.
    public init(host: String, port: UInt16? = nil, path: String = "/", scheme: Scheme = .http) {
        self.scheme = scheme; self.host = host; self.port = port ?? scheme.defaultPort; self.path = path
    }

    /// The host as it appears in a URL or `Host` header (IPv6 literals bracketed).
    public var authorityHost: String { IPAddress.bracketed(host) }

    /// `host[:port]` for the `Host` header (the port omitted when it is the scheme's default).
    public var authority: String { port == scheme.defaultPort ? authorityHost : "\(authorityHost):\(port)" }

    public var description: String { "\(scheme.rawValue)://\(authority)\(path)" }


    /// Parses `http://…`, and `https://…` when `allowingHTTPS` (callers that can verify TLS); otherwise
    /// `https` gets its own error so callers can say it is not supported.
    public static func parse(_ text: String, allowingHTTPS: Bool = false) throws(HTTPURLError) -> HTTPURL {
        let lower = text.lowercased()
        let scheme: Scheme
        if lower.hasPrefix("https://") {
            guard allowingHTTPS else { throw .httpsUnsupported }
            scheme = .https
        } else {
            guard lower.hasPrefix("http://") else { throw .invalid(allowingHTTPS ? "must start with http:// or https://" : "must start with http://") }
            scheme = .http
        }
        var rest = Substring(text.dropFirst(scheme.rawValue.count + 3))
        var path = "/"
        if let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) {
            path = String(rest[slash...])
            if path.hasPrefix("?") { path = "/" + path }
            rest = rest[..<slash]
        }
        if rest.contains("@") { throw .invalid("user information is not allowed") }
        if path.contains("#") { path = String(path[..<path.firstIndex(of: "#")!]) }
        var host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw .invalid("unclosed [ in host") }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .invalid("unexpected text after ]") }
                portText = after.dropFirst()
            }
            guard host.contains(":") else { throw .invalid("brackets around a host that is not IPv6") }
        } else if let colon = rest.firstIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
        }
        guard !host.isEmpty else { throw .invalid("no host") }
        guard host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ".-:_%".contains($0)) }) else {
            throw .invalid("bad character in host")
        }
        var port = scheme.defaultPort
        if let portText {
            guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let value = UInt16(portText), value > 0 else { throw .invalid("bad port") }
            port = value
        }
        guard path.allSatisfy({ $0.isASCII && $0 > " " && $0 != "\u{7F}" }) else { throw .invalid("bad character in path") }
        return HTTPURL(host: String(host).lowercased(), port: port, path: path, scheme: scheme)
    }
}

/// Why a URL was refused.
public enum HTTPURLError: Error, Equatable, CustomStringConvertible {
    case httpsUnsupported
    case invalid(String)
    public var description: String {
        switch self {
        case .httpsUnsupported: return "https endpoints are not supported"
        case .invalid(let why): return "invalid URL (\(why))"
        }
    }
}
