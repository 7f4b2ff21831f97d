#if canImport(Glibc)
import Glibc
#endif

/// One-line messages to stderr, prefixed `with-role-creds: `, each in a single write.
/// Never pass it a secret: the types that hold one print masked anyway.
public struct Log: Sendable {
    public enum Level: Int, Comparable, Sendable {
        case quiet = 0, normal = 1, verbose = 2
        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
    }
    public var level: Level
    public init(level: Level = .normal) { self.level = level }

    /// A failure: always printed.
    public func error(_ message: String) { Self.write(message) }
    /// Something the user should know; hidden by `-q`.
    public func warn(_ message: @autoclosure () -> String) { if level >= .normal { Self.write(message()) } }
    /// Detail for `-v`; the message is only built when it is printed (several per request otherwise).
    public func debug(_ message: @autoclosure () -> String) { if level >= .verbose { Self.write(message()) } }

    static func write(_ message: String) {
        var line = "with-role-creds: "
        for scalar in message.unicodeScalars {
            // One line per message whatever the text holds: control characters are shown escaped.
            if scalar.value < 0x20 || scalar.value == 0x7F { line += "\\x" + String(scalar.value, radix: 16) } else { line.unicodeScalars.append(scalar) }
        }
        line += "\n"
        var bytes = Array(line.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress! + offset, $0.count - offset) }
            if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { return }
        }
    }
}
