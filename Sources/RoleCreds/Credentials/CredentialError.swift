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
    /// Text from a server made safe to quote in one line: printable, at most `limit` characters, and each
    /// of `secrets` that it contains shown as `<redacted>`.
    func quotable(limit: Int = 160, hiding secrets: [String] = []) -> String {
        func printable(_ scalar: Unicode.Scalar) -> Unicode.Scalar { scalar.value < 0x20 || scalar.value == 0x7F ? " " : scalar }
        guard !secrets.isEmpty else {
            var out = ""
            for scalar in unicodeScalars.prefix(limit) { out.unicodeScalars.append(printable(scalar)) }
            return unicodeScalars.count > limit ? out + "…" : out
        }
        // Compared as they would print, so a control character does not hide a secret from the search.
        let text = unicodeScalars.map(printable)
        let hidden = secrets.filter { !$0.isEmpty }.map { $0.unicodeScalars.map(printable) }
        var out = ""
        var i = 0, shown = 0
        while i < text.count, shown < limit {
            if let secret = hidden.first(where: { text[i...].starts(with: $0) }) {
                out += "<redacted>"
                i += secret.count
            } else {
                out.unicodeScalars.append(text[i])
                i += 1
            }
            shown += 1
        }
        return i < text.count ? out + "…" : out
    }
}
