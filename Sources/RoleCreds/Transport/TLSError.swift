/// Why a TLS connection (or the trust, proxy or plain-http policy around it) failed: a code for
/// callers and a one-line sentence for people. The sentence names the host and OpenSSL's reason,
/// never a byte of the request.
public struct TLSError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Code: String, Sendable {
        /// No usable CA certificates, or a configured bundle (`AWS_CA_BUNDLE`, `SSL_CERT_FILE`) is missing or unreadable.
        case trustStore
        /// The server's certificate chain or name did not verify: it never received the request.
        case verification
        /// The handshake failed for another reason (protocol version, alert, reset).
        case handshake
        /// The deadline passed during connect, the proxy tunnel or the handshake.
        case timedOut
        /// The proxy refused or broke the `CONNECT` tunnel.
        case proxy
        /// A plain `http` URL that is not on loopback: refused before connecting.
        case insecureHTTP
        /// Reading or writing the TLS session failed after the handshake.
        case io
        /// The caller's set-up is inconsistent (an https URL without a TLS context).
        case configuration
    }

    /// What kind of failure this is.
    public let code: Code
    /// One line for people.
    public let message: String

    /// An error with `code` and the sentence `message`.
    public init(_ code: Code, _ message: String) { self.code = code; self.message = message }

    public var description: String { message }

    /// Worth another attempt: the network may do better next time; a failed verification will not.
    public var isTransient: Bool {
        switch self.code {
        case .timedOut, .io, .handshake, .proxy: return true
        case .trustStore, .verification, .insecureHTTP, .configuration: return false
        }
    }
}
