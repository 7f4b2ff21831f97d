/// Why credentials could not be had: a sentence for people, never containing a secret or a body.
public struct CredentialError: Error, Equatable, CustomStringConvertible {
    public let description: String
    /// Retrying later may help (network trouble, throttling, 5xx), as opposed to a refusal or bad configuration.
    public let isTransient: Bool
    public init(_ description: String, transient: Bool = false) {
        self.description = description
        self.isTransient = transient
    }
}

extension String {
    /// Text from a server made safe to quote in one line: printable, at most `limit` characters.
    func quotable(limit: Int = 160) -> String {
        var out = ""
        for scalar in unicodeScalars.prefix(limit) {
            out.unicodeScalars.append(scalar.value < 0x20 || scalar.value == 0x7F ? " " : scalar)
        }
        return unicodeScalars.count > limit ? out + "…" : out
    }
}
