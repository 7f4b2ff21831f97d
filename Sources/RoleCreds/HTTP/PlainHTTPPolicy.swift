/// True when `url` is plain `http` to a loopback host: `localhost`, 127.0.0.0/8, `::1` or an
/// IPv4-mapped 127.x address, compared as parsed addresses (inet_pton), never as text patterns, so
/// `127.0.0.1.nip.io` or `0x7f000001` do not pass. Local emulators and tests use this; a token or
/// signature must never cross a network in clear text.
public func isLoopbackHTTPAllowed(_ url: HTTPURL) -> Bool {
    guard url.scheme == .http else { return false }
    return isLoopbackHost(url.host)
}

/// Refuses, before any connection, a plain-http `url` that is not on loopback (`TransportError.Code.insecureHTTP`);
/// https always passes. `what` names the endpoint in the message ("STS endpoint").
public func requireTLSOrLoopback(_ url: HTTPURL, what: String) throws(TransportError) {
    guard url.scheme == .http, !isLoopbackHTTPAllowed(url) else { return }
    throw TransportError(.insecureHTTP, "\(what) http://\(url.authority) is plain http to a host that is not loopback; use https (plain http is allowed only to localhost, 127.0.0.0/8 and ::1)")
}

/// The one plain-http rule for a client that carries a secret (a JWT, a bearer or container token, a
/// SigV4 signature with a session token): over http, every address the host resolves to when
/// connecting must pass `allowed` (loopback unless the caller names more), or nothing is sent. A name
/// allowed by `requireTLSOrLoopback` (`localhost`) is only as good as what it resolves to: a resolver
/// or /etc/hosts may map it anywhere. https is unchanged: the certificate proves the server.
public func applyPlainHTTPRule(to client: HTTPClient,
                               allowed: @escaping (IPAddress) -> Bool = { $0.isLoopback }) {
    guard client.scheme == .http else { return }
    client.allowAddress = allowed
}

/// `localhost` (its addresses are checked when connecting: `applyPlainHTTPRule`), or an IPv4/IPv6
/// literal on loopback.
func isLoopbackHost(_ host: String) -> Bool {
    host.lowercased() == "localhost" || IPAddress(host)?.isLoopback == true
}
