/// Long-term (or session) keys from a profile; they print masked (spec §6).
public struct StaticKeys: Equatable, Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var accessKeyId: String
    public var secretAccessKey: Secret
    public var sessionToken: Secret?
    /// The profile they were read from.
    public var profile: String

    public init(accessKeyId: String, secretAccessKey: Secret, sessionToken: Secret?, profile: String) {
        self.accessKeyId = accessKeyId; self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken; self.profile = profile
    }

    public var description: String { "static keys \(Credentials.mask(accessKeyId)) (profile \(profile))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(self, children: ["accessKeyId": Credentials.mask(accessKeyId), "profile": profile], displayStyle: .struct)
    }
}
