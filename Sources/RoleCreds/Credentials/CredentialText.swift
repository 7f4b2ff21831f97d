/// The one rule for key material that comes from outside — an IMDS or container document, an STS answer,
/// the shared credentials file, the environment — before it is signed with, sent in a header or given to
/// the command: printable ASCII and bounded, so a CR, LF or NUL can never split or smuggle a request
/// or end up in a log. Real keys are base64-like text; anything else is a mistake or an attack.
public enum CredentialText {
    /// The longest access key id (AWS documents 16–128).
    public static let maxKeyIdLength = 128
    /// The longest secret key or session token: far above real session tokens (a few KiB), and under the
    /// 16 KiB a header may have.
    public static let maxSecretLength = 12 * 1024

    /// Why `keyId` cannot be used as an access key id, or nil: 1…128 of `!`…`~` (no space).
    public static func keyIdProblem(_ keyId: String) -> String? {
        guard !keyId.isEmpty, keyId.utf8.count <= maxKeyIdLength, keyId.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return "has invalid characters (1 to \(maxKeyIdLength) printable ASCII characters, no spaces)"
        }
        return nil
    }

    /// Why `secret` (a secret key or session token) cannot be used, or nil: 1…12 KiB of `!`…`~`. The
    /// reason never quotes the value.
    public static func secretProblem(_ secret: String) -> String? {
        if secret.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) { return "has control characters" }
        if secret.isEmpty || !secret.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) {
            return "has characters other than printable ASCII"
        }
        if secret.utf8.count > maxSecretLength { return "is longer than \(maxSecretLength) bytes" }
        return nil
    }
}
