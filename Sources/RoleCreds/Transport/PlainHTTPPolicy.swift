#if canImport(Glibc)
import Glibc
#endif

/// True when `url` is plain `http` to a loopback host: `localhost`, 127.0.0.0/8, `::1` or an
/// IPv4-mapped 127.x address, compared as parsed addresses (inet_pton), never as text patterns, so
/// `127.0.0.1.nip.io` or `0x7f000001` do not pass. Local emulators and tests use this; a token or
/// signature must never cross a network in clear text.
public func isLoopbackHTTPAllowed(_ url: HTTPURL) -> Bool {
    guard url.scheme == .http else { return false }
    return isLoopbackHost(url.host)
}

/// Refuses, before any connection, a plain-http `url` that is not on loopback (`TLSError.Code.insecureHTTP`);
/// https always passes. `what` names the endpoint in the message ("STS endpoint").
public func requireTLSOrLoopback(_ url: HTTPURL, what: String) throws(TLSError) {
    guard url.scheme == .http, !isLoopbackHTTPAllowed(url) else { return }
    throw TLSError(.insecureHTTP, "\(what) http://\(url.authority) is plain http to a host that is not loopback; use https (plain http is allowed only to localhost, 127.0.0.0/8 and ::1)")
}

/// `localhost`, or an IPv4/IPv6 literal on loopback.
func isLoopbackHost(_ host: String) -> Bool {
    if host.lowercased() == "localhost" { return true }
    var v4 = in_addr()
    if inet_pton(AF_INET, host, &v4) == 1 {
        return UInt32(bigEndian: v4.s_addr) >> 24 == 127
    }
    var v6 = in6_addr()
    if inet_pton(AF_INET6, host, &v6) == 1 {
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true }                       // ::1
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF { return bytes[12] == 127 } // ::ffff:127.x
    }
    return false
}
