/// Why credentials could not be had: a sentence for people, never containing a secret or a body.
public struct CredentialError: Error, Equatable, CustomStringConvertible {
    public let description: String
    /// Retrying later may help (network trouble, throttling, 5xx), as opposed to a refusal or bad configuration.
    public let isTransient: Bool
    /// IMDS has no credentials for the role asked (a replaced instance profile, when it was discovered).
    public let isMissingRole: Bool
    public init(_ description: String, transient: Bool = false, missingRole: Bool = false) {
        self.description = description
        self.isTransient = transient
        self.isMissingRole = missingRole
    }
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
