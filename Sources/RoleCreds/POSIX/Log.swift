#if canImport(Glibc)
import Glibc
#endif

/// One-line messages to stderr, prefixed `with-role-creds: `, each in a single write.
/// Never pass it a secret: the types that hold one print masked anyway, and every secret registered in
/// `SecretRegistry` is redacted from every line as a last line of defence.
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

    /// The line `write` prints for `message`, newline included. One line whatever the text holds, shown in
    /// the order it was written: what does not print (controls, bidi overrides, line separators) is
    /// escaped; and no secret the launcher holds or has held shows, whoever built the message.
    static func line(_ message: String, registry: SecretRegistry = .shared) -> String {
        "with-role-creds: " + SafeText.escaped(registry.redact(message)) + "\n"
    }

    static func write(_ message: String) {
        var bytes = Array(line(message).utf8)
        var offset = 0
        while offset < bytes.count {
            let n = try? retryingInterrupts { bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress! + offset, $0.count - offset) } }
            guard let n, n > 0 else { return }
            offset += n
        }
    }
}
