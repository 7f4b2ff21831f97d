/// Why credentials could not be had (as smithy-rs' `CredentialsError` kinds): a kind for callers, a
/// sentence for people that never contains a secret or a body, and the lower layer's error it came from.
public struct CredentialError: CodedError, Sendable {
    /// What kind of failure this is.
    public enum Code: Sendable {
        /// The source failed or refused: an error answer, a bad document, a file that cannot be used.
        case provider
        /// The source is set up wrongly (an endpoint refused before any connection, TLS or a proxy that
        /// cannot be set up): no attempt was made.
        case configuration
        /// The request did not get an answer: connect, TLS, time-outs, a broken connection.
        case transport
        /// IMDS has no credentials for the role asked (a replaced instance profile, when it was discovered).
        case missingRole
    }

    public let code: Code
    public let message: String
    public let underlying: (any Error)?
    /// Retrying later may help (network trouble, throttling, 5xx), as opposed to a refusal or bad configuration.
    public let isTransient: Bool

    /// An error of `code` with the sentence `message`, made from `underlying` if any.
    public init(_ code: Code, _ message: String, transient: Bool = false, underlying: (any Error)? = nil) {
        self.code = code; self.message = message; self.isTransient = transient; self.underlying = underlying
    }

    /// A provider failure (`missingRole`: IMDS has no credentials for the role).
    public init(_ message: String, transient: Bool = false, missingRole: Bool = false) {
        self.init(missingRole ? .missingRole : .provider, message, transient: transient)
    }

    /// The configuration error `error` (an endpoint refused, a bad value), with its sentence as it is.
    init(configuration error: some Error & CustomStringConvertible) {
        self.init(.configuration, error.description, underlying: error)
    }

    /// IMDS has no credentials for the role asked.
    public var isMissingRole: Bool { code == .missingRole }
}

extension String {
    /// Text from a server or a user made safe to quote in one line: at most `limit` characters; C0
    /// controls and DEL shown as a space (a server's tab or line break reads as one); every other scalar
    /// that does not print (C1 controls, bidi overrides and isolates, U+2028/U+2029, zero-width and other
    /// format characters) shown escaped (`\u{202E}`), so it can neither break the line nor reorder it; and
    /// each of `secrets`, and every secret the launcher holds or has held (`SecretRegistry`), shown as
    /// `<redacted>`.
    func quotable(limit: Int = 160, hiding secrets: [String] = [], registry: SecretRegistry = .shared) -> String {
        let text = Array(unicodeScalars)
        let hidden = secrets.filter { !$0.isEmpty }.map { Array($0.unicodeScalars) } + registry.secrets
        var out = ""
        var i = 0, shown = 0
        while i < text.count, shown < limit {
            if let n = Redaction.match(text, at: i, hidden) {
                out += "<redacted>"
                i += n
            } else {
                let scalar = text[i]
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += " "
                } else if scalar.isNonPrinting {
                    out += SafeText.escape(scalar)
                } else {
                    out.unicodeScalars.append(scalar)
                }
                i += 1
            }
            shown += 1
        }
        return i < text.count ? out + "…" : out
    }
}
