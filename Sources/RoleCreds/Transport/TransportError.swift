/// Why a connection could not carry a request: name lookup, connect, TLS and its trust store, or the
/// proxy and plain-http policy the HTTP layer applies around them. The sentence names the host and the
/// reason (OpenSSL's, the resolver's, the kernel's), never a byte of the request.
public typealias TransportError = LayerError<TransportErrorCode>

/// What kind of transport failure a `TransportError` is.
public enum TransportErrorCode: String, Sendable {
    /// The host name could not be resolved.
    case nameLookup
    /// No connection could be made (refused, unreachable).
    case connect
    /// The host resolved to an address the caller does not allow; nothing was sent.
    case notAllowed
    /// No usable CA certificates, or a configured bundle (`AWS_CA_BUNDLE`, `SSL_CERT_FILE`) is missing or unreadable.
    case trustStore
    /// The server's certificate chain or name did not verify: it never received the request.
    case verification
    /// The handshake failed for another reason (protocol version, alert, reset).
    case handshake
    /// The deadline passed while connecting, in the proxy tunnel or in the handshake.
    case timedOut
    /// The proxy refused or broke the `CONNECT` tunnel.
    case proxy
    /// A plain `http` URL that is not on loopback: refused before connecting.
    case insecureHTTP
    /// Reading or writing the connection failed after it was made.
    case io
    /// The caller's set-up is inconsistent (an https URL without a TLS context, a bad proxy variable).
    case configuration
}

extension TransportError {
    /// A failed connect, in the socket's words, `prefix` (the proxy, if any) first.
    public init(connecting error: SocketError, prefix: String = "") {
        let code: TransportErrorCode
        switch error {
        case .resolve: code = .nameLookup
        case .notAllowed: code = .notAllowed
        case .timedOut: code = .timedOut
        case .refused, .bind, .io: code = .connect
        }
        self.init(code, prefix + error.description, underlying: error)
    }

    /// Worth another attempt: the network may do better next time; a failed verification will not.
    public var isTransient: Bool {
        switch code {
        case .nameLookup, .connect, .timedOut, .io, .handshake, .proxy: return true
        case .notAllowed, .trustStore, .verification, .insecureHTTP, .configuration: return false
        }
    }
}
