/// Hexadecimal digits: the one encoder and decoder every layer uses (hashes, percent-encoding, chunk
/// sizes, JSON and XML character references, escaped bytes in messages).
public enum Hex {
    static let lower = Array("0123456789abcdef".utf8)
    static let upper = Array("0123456789ABCDEF".utf8)

    /// `bytes` as lowercase hex, two digits each.
    public static func lowercase(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes { out += [lower[Int(b >> 4)], lower[Int(b & 15)]] }
        return String(decoding: out, as: UTF8.self)
    }

    /// The two uppercase digits of `byte`.
    public static func upperDigits(_ byte: UInt8) -> [UInt8] { [upper[Int(byte >> 4)], upper[Int(byte & 15)]] }

    /// `%XX` (uppercase digits, RFC 3986).
    public static func percentEscape(_ byte: UInt8) -> [UInt8] { [UInt8(ascii: "%")] + upperDigits(byte) }

    /// The value of one hex digit, either case; nil for any other byte.
    public static func value(_ b: UInt8) -> UInt8? {
        switch b {
        case 48...57: return b - 48
        case 65...70: return b - 55
        case 97...102: return b - 87
        default: return nil
        }
    }

    /// The bytes of `text` with each `%XX` decoded. A `%` not followed by two hex digits is kept as it is
    /// when `lenient` (SigV4's canonical query does so), and otherwise makes the whole text invalid (nil).
    public static func percentDecoded(_ text: Substring, lenient: Bool) -> [UInt8]? {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%") {
                if i + 2 < bytes.count, let h = value(bytes[i + 1]), let l = value(bytes[i + 2]) {
                    out.append(h << 4 | l)
                    i += 3
                    continue
                }
                if !lenient { return nil }
            }
            out.append(bytes[i])
            i += 1
        }
        return out
    }
}
