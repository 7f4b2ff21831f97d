/// Why an HTTP exchange failed; `description` never contains a body.
public enum HTTPError: Error, Equatable, CustomStringConvertible {
    /// No connection could be made (refused, unreachable, resolution failed).
    case connect(String)
    /// The deadline passed; `connected` tells a black hole (connected, no answer) from an unreachable host.
    case timedOut(connected: Bool)
    /// The peer closed the connection before a complete message.
    case closed
    /// The bytes do not form a valid HTTP/1.1 message.
    case malformed(String)
    /// A header section or body exceeded its limit.
    case tooLarge(String)
    /// A socket call failed after the connection was made.
    case io(String)
    /// The host resolved to an address the caller does not allow; nothing was sent.
    case notAllowed(String)
    /// TLS, its trust store, the proxy tunnel or the plain-http policy failed (see `TLSError.Code`).
    case tls(TLSError)

    public var description: String {
        switch self {
        case .connect(let why): return why
        case .timedOut(let connected): return connected ? "no answer before the deadline" : "connection timed out"
        case .closed: return "connection closed before a complete response"
        case .malformed(let why): return "malformed HTTP response (\(why))"
        case .tooLarge(let what): return "\(what) over the limit"
        case .io(let why): return why
        case .notAllowed(let why): return why
        case .tls(let error): return error.description
        }
    }

    /// The peer does not speak HTTP as expected.
    public var isMalformed: Bool { if case .malformed = self { return true } else { return false } }

    /// Worth another attempt: the network or the server may do better next time.
    public var isTransient: Bool {
        switch self {
        case .connect, .timedOut, .closed, .io: return true
        case .malformed, .tooLarge, .notAllowed: return false
        case .tls(let error): return error.isTransient
        }
    }
}
