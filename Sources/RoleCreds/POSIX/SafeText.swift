/// Text from outside (an endpoint's `Message`, a role ARN, an argument) made safe for one line on a
/// terminal or in a log: what does not print is shown escaped, and no secret the launcher holds shows.
public enum SafeText {
    /// `\x1b` for a C0 or C1 control or DEL, `\u{202E}` for the other scalars that do not print.
    public static func escape(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: scalar.value > 0x9F)
        return scalar.value <= 0x9F ? "\\x" + (hex.count < 2 ? "0" : "") + hex : "\\u{" + hex + "}"
    }

    /// `text` with every scalar that does not print replaced by its escape.
    public static func escaped(_ text: String) -> String {
        replacing(text) { $0.isNonPrinting ? escape($0) : nil }
    }

    /// `text` with each scalar for which `replacement` gives a string replaced by it: the one escaping
    /// loop of this text, JSON strings and XML character data (each with its own table).
    public static func replacing(_ text: String, _ replacement: (Unicode.Scalar) -> String?) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if let replaced = replacement(scalar) { out += replaced } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }
}

extension Unicode.Scalar {
    /// Scalars a terminal or a log tool does not show as themselves: C0 and C1 controls and DEL (U+0085
    /// is a line break for some log tools, U+009B starts a terminal control sequence), format characters
    /// (bidi embeddings, overrides and isolates U+202A–U+202E and U+2066–U+2069, U+200E/U+200F marks,
    /// zero-width characters, U+FEFF, tags), U+2028/U+2029, and unassigned code points (a later Unicode
    /// version may make them any of these).
    public var isNonPrinting: Bool {
        if value < 0x20 || (0x7F...0x9F).contains(value) { return true }
        if value < 0xA0 { return false }
        switch properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .unassigned: return true
        default: return false
        }
    }
}
