#if canImport(Glibc)
import Glibc
#endif

/// Arguments and environment entries are bytes, not text: like `env`, the launcher passes them to the
/// command unchanged even when they are not UTF-8 (a file named `caf\xe9.txt` in Latin-1).
/// `ByteText` carries such bytes through `String`-typed code losslessly, the way Python's
/// "surrogateescape" does: valid UTF-8 stays as it is, and each other byte B becomes the private-use
/// scalar U+10FF00+B. `encode` turns those scalars back into their bytes. A real U+10FF00…U+10FFFF in
/// the input has its four bytes escaped one by one, so every byte string comes back exactly.
public enum ByteText {
    static let base: UInt32 = 0x10FF00

    /// The text of a NUL-terminated C string, losslessly.
    public static func decode(cString: UnsafePointer<CChar>) -> String {
        let count = strlen(cString)
        return cString.withMemoryRebound(to: UInt8.self, capacity: count) {
            decode(UnsafeBufferPointer(start: $0, count: count))
        }
    }

    /// The text of `bytes`, losslessly.
    public static func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        // Fast path: nothing that could be invalid or escaped. Everything below 0xF4 that validates
        // needs no escape either, but ASCII is what environments hold.
        if !bytes.contains(where: { $0 >= 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        var scalars = String.UnicodeScalarView()
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        func escape(_ n: Int) {
            for i in offset..<(offset + n) { scalars.append(Unicode.Scalar(base + UInt32(bytes[i]))!) }
        }
        loop: while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                let scalar = Unicode.UTF8.decode(encoded)
                if scalar.value >= base { escape(encoded.count) } else { scalars.append(scalar) }
                offset += encoded.count
            case .error(let length):
                escape(length)
                offset += length
            case .emptyInput:
                break loop
            }
        }
        return String(scalars)
    }

    /// The bytes `text` stands for (the inverse of `decode`).
    public static func encode(_ text: String) -> [UInt8] {
        // Escapes are 4-byte sequences starting with 0xF4; without one the text is its own UTF-8.
        if !text.utf8.contains(0xF4) { return Array(text.utf8) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if scalar.value >= base { bytes.append(UInt8(truncatingIfNeeded: scalar.value - base)) }
            else { bytes.append(contentsOf: UTF8.encode(scalar)!) }
        }
        return bytes
    }

    /// `text` for a message: escaped bytes shown as `\xHH`, the rest unchanged.
    public static func printable(_ text: String) -> String {
        if !text.utf8.contains(0xF4) { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.value >= base {
                let b = scalar.value - base
                out += "\\x" + String(decoding: Hex.upperDigits(UInt8(b)), as: UTF8.self)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// The process's arguments after the program name, losslessly (CommandLine.arguments would turn
    /// bytes that are not UTF-8 into U+FFFD).
    public static func arguments() -> [String] {
        (1..<Int(CommandLine.argc)).map { decode(cString: CommandLine.unsafeArgv[$0]!) }
    }
}
