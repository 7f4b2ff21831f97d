/// A secret string that never prints: `description`, interpolation, `dump` and `debugDescription` mask it.
public struct Secret: Equatable, Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let value: String
    /// Also registers `value` with `SecretRegistry.shared`, so no later message can quote it.
    public init(_ value: String) {
        self.value = value
        SecretRegistry.shared.remember(value)
    }
    /// The secret itself, for the child's environment and the credential endpoint only.
    public func reveal() -> String { value }
    public var isEmpty: Bool { value.isEmpty }
    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// Temporary credentials of a role.
public struct Credentials: Equatable, Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var accessKeyId: String
    public var secretAccessKey: Secret
    public var sessionToken: Secret
    /// Unix seconds.
    public var expiration: Int64
    public var accountId: String?
    public var roleArn: String?

    public init(accessKeyId: String, secretAccessKey: Secret, sessionToken: Secret, expiration: Int64,
                accountId: String? = nil, roleArn: String? = nil) {
        self.accessKeyId = accessKeyId; self.secretAccessKey = secretAccessKey; self.sessionToken = sessionToken
        self.expiration = expiration; self.accountId = accountId; self.roleArn = roleArn
    }

    /// The key id with only its first and last four characters shown (`ASIA…WXYZ`).
    public var maskedKeyId: String { Self.mask(accessKeyId) }

    /// Masks any identifier the same way.
    public static func mask(_ s: String) -> String {
        guard s.count > 8 else { return String(repeating: "*", count: s.count) }
        return "\(s.prefix(4))…\(s.suffix(4))"
    }

    public var description: String {
        "Credentials(\(maskedKeyId), expires \(Timestamp.format(expiration))\(accountId.map { ", account \($0)" } ?? ""))"
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(self, children: ["accessKeyId": maskedKeyId, "expiration": Timestamp.format(expiration),
                                "accountId": accountId as Any, "roleArn": roleArn as Any], displayStyle: .struct)
    }
}
