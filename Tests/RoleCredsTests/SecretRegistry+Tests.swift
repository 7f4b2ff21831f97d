@testable import RoleCreds

extension SecretRegistry {
    /// Whether `secret` is registered.
    func contains(_ secret: String) -> Bool { secrets.contains(Array(secret.unicodeScalars)) }
}
