import Synchronization

/// Every secret the launcher holds or has held (secret keys, session tokens, metadata and authorization
/// tokens, web identity tokens), so that no message can quote one, whoever wrote the message: an endpoint
/// whose `Message` or 429 body echoes the token held now, or one from an earlier rotation.
///
/// `Secret.init` registers its value, so every secret that enters the program through `Secret` is known
/// here; `remember` is for a secret held in a plain `String` or bytes before it becomes a `Secret`.
/// `String.quotable` and `Log` redact every registered secret as `<redacted>`. Thread-safe: the refresh
/// thread registers while the event loop logs. Memory is bounded: the newest `capacity` secrets are kept.
public final class SecretRegistry: Sendable {
    /// The registry `Secret`, `quotable` and `Log` use.
    public static let shared = SecretRegistry()

    /// How many secrets are kept: the current ones and several rotations back.
    public let capacity: Int
    /// Shorter values are not registered: a real secret is 16 characters or more, and a short one would
    /// hide ordinary words in every message.
    public static let minimumLength = 8

    private let recent: Mutex<[[Unicode.Scalar]]>

    public init(capacity: Int = 32) {
        self.capacity = capacity
        self.recent = Mutex([])
    }

    /// Registers `secret` as the newest; the oldest is forgotten when more than `capacity` are held.
    public func remember(_ secret: String) {
        let scalars = Array(secret.unicodeScalars)
        guard scalars.count >= Self.minimumLength else { return }
        recent.withLock { list in
            if let i = list.firstIndex(of: scalars) {
                if i == list.count - 1 { return }
                list.remove(at: i)
            }
            list.append(scalars)
            if list.count > capacity { list.removeFirst(list.count - capacity) }
        }
    }

    /// The registered secrets, newest last.
    public var secrets: [[Unicode.Scalar]] { recent.withLock { $0 } }

    /// `text` with every registered secret replaced by `<redacted>`.
    public func redact(_ text: String) -> String {
        let held = secrets
        guard !held.isEmpty else { return text }
        return Redaction.redact(text, hiding: held)
    }
}

/// Finding secrets in text, the same way for `quotable` and `Log`.
enum Redaction {
    /// The form in which text and secrets are compared: what does not print counts as a space, so a
    /// control character written into a quoted secret does not hide it from the search.
    static func canonical(_ scalar: Unicode.Scalar) -> Unicode.Scalar { scalar.isNonPrinting ? " " : scalar }

    /// The length of the longest of `secrets` that starts at `text[i]`, or nil.
    static func match(_ text: [Unicode.Scalar], at i: Int, _ secrets: [[Unicode.Scalar]]) -> Int? {
        var best: Int?
        for secret in secrets where secret.count <= text.count - i && secret.count > (best ?? 0) {
            var j = 0
            while j < secret.count, canonical(text[i + j]) == canonical(secret[j]) { j += 1 }
            if j == secret.count { best = j }
        }
        return best
    }

    /// Whether `text` and one of `secrets` have `length` characters in a row in common, ASCII case
    /// ignored: a secret quoted in a changed form (one character off, its case changed, cut in two)
    /// still shares such a run with it, where an exact search (`redact`) finds nothing.
    static func sharesRun(_ text: String, with secrets: [[Unicode.Scalar]], length: Int = 12) -> Bool {
        func folded(_ scalars: [Unicode.Scalar]) -> [UInt32] {
            scalars.map { let v = canonical($0).value; return (65...90).contains(v) ? v | 0x20 : v }
        }
        var runs = Set<ArraySlice<UInt32>>()
        for secret in secrets where secret.count >= length {
            let f = folded(secret)
            for start in 0...(f.count - length) { runs.insert(f[start..<(start + length)]) }
        }
        let t = folded(Array(text.unicodeScalars))
        guard !runs.isEmpty, t.count >= length else { return false }
        return (0...(t.count - length)).contains { runs.contains(t[$0..<($0 + length)]) }
    }

    /// `text` with each of `secrets` replaced by `<redacted>`; everything else unchanged.
    static func redact(_ text: String, hiding secrets: [[Unicode.Scalar]]) -> String {
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        var changed = false
        while i < scalars.count {
            if let n = match(scalars, at: i, secrets) {
                out.append(contentsOf: "<redacted>".unicodeScalars)
                i += n
                changed = true
            } else {
                out.append(scalars[i])
                i += 1
            }
        }
        return changed ? String(out) : text
    }
}
