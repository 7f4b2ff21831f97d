/// Why an HTTP exchange failed: the message itself (framing, limits, an early close, no answer in
/// time) or the connection under it (`TransportError`, kept as it is). `description` never contains a body.
public enum HTTPError: Error, Equatable, CustomStringConvertible {
    /// The deadline passed; `connected` tells a black hole (connected, no answer) from an unreachable host.
    case timedOut(connected: Bool)
    /// The peer closed the connection before a complete message.
    case closed
    /// The bytes do not form a valid HTTP/1.1 message.
    case malformed(String)
    /// A header section or body exceeded its limit.
    case tooLarge(String)
    /// The connection failed: lookup, connect, TLS, proxy, plain-http policy, or a read or write.
    case transport(TransportError)

    public var description: String {
        switch self {
        case .timedOut(let connected): return connected ? "no answer before the deadline" : "connection timed out"
        case .closed: return "connection closed before a complete response"
        case .malformed(let why): return "malformed HTTP response (\(why))"
        case .tooLarge(let what): return "\(what) over the limit"
        case .transport(let error): return error.message
        }
    }

    /// The peer does not speak HTTP as expected.
    public var isMalformed: Bool { if case .malformed = self { return true } else { return false } }

    /// Worth another attempt: the network or the server may do better next time.
    public var isTransient: Bool {
        switch self {
        case .timedOut, .closed: return true
        case .malformed, .tooLarge: return false
        case .transport(let error): return error.isTransient
        }
    }
}
