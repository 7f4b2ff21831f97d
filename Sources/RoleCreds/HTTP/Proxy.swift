import COpenSSL

/// An http proxy that https requests reach their server through, with a `CONNECT` tunnel.
/// `description` masks the user information.
public struct HTTPProxy: Equatable, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public var host: String
    public var port: UInt16
    /// `user:password` (percent-decoded) for `Proxy-Authorization: Basic`; never printed.
    var userInfo: String?

    /// A proxy at `host:port`, with optional `user:password`.
    public init(host: String, port: UInt16, userInfo: String? = nil) {
        self.host = host; self.port = port; self.userInfo = userInfo
    }

    /// `host:port` (IPv6 bracketed).
    public var authority: String { IPAddress.bracketed(host) + ":\(port)" }

    public var description: String { "http://\(userInfo == nil ? "" : "***@")\(authority)" }
    public var debugDescription: String { description }

    /// Parses a proxy variable's value as curl and the SDKs do: `[http://][user:password@]host[:port][/]`;
    /// port 80 by default. An `https://` or `socks` proxy is refused: only http proxies are supported.
    public static func parse(_ text: String, variable: String) throws(TransportError) -> HTTPProxy {
        var rest = Substring(text)
        if let separator = rest.firstByteRange(of: "://") {
            let scheme = rest[..<separator.lowerBound].lowercased()
            guard scheme == "http" else {
                throw TransportError(.configuration, "\(variable): only http:// proxies are supported, not \(scheme.prefix(16))://")
            }
            rest = rest[separator.upperBound...]
        }
        if let slash = rest.firstIndex(of: "/") {
            guard rest[slash...].allSatisfy({ $0 == "/" }) else { throw TransportError(.configuration, "\(variable): a proxy URL has no path") }
            rest = rest[..<slash]
        }
        var userInfo: String?
        if let at = rest.lastIndex(of: "@") {
            guard let decoded = Hex.percentDecoded(rest[..<at], lenient: false).flatMap({ String(validating: $0, as: UTF8.self) }) else { throw TransportError(.configuration, "\(variable): bad %-escape in the user information") }
            userInfo = decoded
            rest = rest[rest.index(after: at)...]
        }
        // The host and port syntax is HTTPURL's; its error never contains the user information.
        let url: HTTPURL
        do { url = try HTTPURL.parse("http://\(rest)") } catch {
            throw TransportError(.configuration, "\(variable): \(error)", underlying: error)
        }
        return HTTPProxy(host: url.host, port: url.port, userInfo: userInfo)
    }

    /// Opens a tunnel to `host:port` through this proxy over `socket` (connected to the proxy) before
    /// `deadline`. The proxy's answer is read head only; a refusal names the status, never the body.
    func openTunnel(over socket: Socket, to host: String, port: UInt16, wait: Wait) throws(TransportError) {
        let target = IPAddress.bracketed(host) + ":\(port)"
        var text = "CONNECT \(target) HTTP/1.1\r\nHost: \(target)\r\n"
        if let userInfo { text += "Proxy-Authorization: Basic \(base64(Array(userInfo.utf8)))\r\n" }
        text += "\r\n"
        do { try socket.write(Array(text.utf8), wait: wait) } catch .timedOut {
            throw TransportError(.timedOut, "proxy \(authority) did not accept the tunnel request to \(target) before the deadline")
        } catch {
            throw TransportError(.proxy, "proxy \(authority): sending the tunnel request to \(target) failed", underlying: error)
        }
        // A CONNECT answer has no body (RFC 9110 9.3.6), so the parser reads the head only.
        var parser = ResponseParser(isHead: true)
        while true {
            let chunk: [UInt8]
            do { chunk = try socket.read(max: 4096, wait: wait) } catch .timedOut {
                throw TransportError(.timedOut, "proxy \(authority) did not open the tunnel to \(target) before the deadline")
            } catch {
                throw TransportError(.proxy, "proxy \(authority) broke the tunnel to \(target): \(error)", underlying: error)
            }
            guard !chunk.isEmpty else { throw TransportError(.proxy, "proxy \(authority) closed the connection instead of opening a tunnel to \(target)") }
            let response: HTTPResponse?
            do { response = try parser.feed(chunk) } catch {
                throw TransportError(.proxy, "proxy \(authority) answered the tunnel request to \(target) with \(error)", underlying: error)
            }
            guard let response else { continue }
            guard (200..<300).contains(response.status) else {
                let hint = response.status == 407 ? " (check the user and password in the proxy variable)" : ""
                throw TransportError(.proxy, "proxy \(authority) refused the tunnel to \(target): \(response.status)\(hint)")
            }
            // Bytes before our ClientHello cannot be the server's TLS: refuse rather than mis-frame them.
            guard !parser.hasTrailingBytes else { throw TransportError(.proxy, "proxy \(authority) sent data before the tunnel to \(target) was used") }
            return
        }
    }
}

/// The proxy variables for https endpoints (STS), as curl and the SDKs read them. The metadata
/// endpoints never use a proxy: their callers simply do not ask.
public struct ProxySettings: Equatable, Sendable {
    /// From `https_proxy`, else `HTTPS_PROXY`.
    public var httpsProxy: HTTPProxy?
    /// From `no_proxy`, else `NO_PROXY`: the comma-separated entries, trimmed.
    public var noProxy: [String]

    /// Settings with this proxy and bypass list.
    public init(httpsProxy: HTTPProxy?, noProxy: [String] = []) { self.httpsProxy = httpsProxy; self.noProxy = noProxy }

    /// Reads the variables; the lower-case spelling wins, as in curl and Python's urllib (botocore).
    public static func from(_ environment: EnvironmentLookup) throws(TransportError) -> ProxySettings {
        var proxy: HTTPProxy?
        for name in ["https_proxy", "HTTPS_PROXY"] {
            if let value = environment[name] { proxy = try HTTPProxy.parse(value, variable: name); break }
        }
        let list = environment["no_proxy"] ?? environment["NO_PROXY"] ?? ""
        let entries = list.split(separator: ",").map { String($0.trimmingCharacters()) }.filter { !$0.isEmpty }
        return ProxySettings(httpsProxy: proxy, noProxy: entries)
    }

    /// The proxy for a request to `url`: nil for plain http, without a proxy, or when `NO_PROXY` matches.
    public func proxy(for url: HTTPURL) -> HTTPProxy? {
        guard url.scheme == .https, let httpsProxy, !Self.bypasses(host: url.host, noProxy: noProxy) else { return nil }
        return httpsProxy
    }

    /// True when `host` matches an entry of `noProxy`: `*` matches everything; an entry matches the
    /// host itself and every name under it, with or without a leading dot; a port in an entry is
    /// ignored, as curl does; case does not matter; IPv6 entries may be bracketed.
    public static func bypasses(host: String, noProxy: [String]) -> Bool {
        let host = host.lowercased()
        for raw in noProxy {
            var entry = Substring(raw.lowercased())
            if entry == "*" { return true }
            if entry.hasPrefix("[") {
                guard let close = entry.firstIndex(of: "]") else { continue }
                entry = entry[entry.index(after: entry.startIndex)..<close]
            } else if entry.filter({ $0 == ":" }).count == 1, let colon = entry.firstIndex(of: ":") {
                entry = entry[..<colon]
            }
            while entry.hasPrefix(".") { entry = entry.dropFirst() }
            while entry.hasSuffix(".") { entry = entry.dropLast() }
            guard !entry.isEmpty else { continue }
            if host == entry || host.hasSuffix("." + entry) { return true }
        }
        return false
    }
}

/// Standard base64 (OpenSSL's EVP_EncodeBlock).
func base64(_ bytes: [UInt8]) -> String {
    var out = [UInt8](repeating: 0, count: 4 * ((bytes.count + 2) / 3) + 1)
    let n = bytes.withUnsafeBufferPointer { input in
        out.withUnsafeMutableBufferPointer { cssl_base64($0.baseAddress!, input.baseAddress, Int32(bytes.count)) }
    }
    return String(decoding: out.prefix(Int(n)), as: UTF8.self)
}
