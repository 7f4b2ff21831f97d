/// One role assumed with the credentials before it (spec §7): a profile's `role_arn` or `--assume-role`,
/// every value checked by `IAMValues` before any call. `AssumeRoleProvider` makes the call.
public struct AssumeRoleSettings: Equatable, Sendable, CustomStringConvertible {
    public var roleArn: String
    /// `RoleSessionName`; nil: the tool's default name.
    public var sessionName: String?
    public var externalId: String?
    /// `DurationSeconds`, within `IAMValues.durationRange`.
    public var durationSeconds: Int?
    /// Compact JSON (read and checked before any call); nil: none.
    public var policy: String?
    /// What named this role: `--assume-role` or a profile's `role_arn`.
    public var origin: SettingOrigin = .defaultValue
    /// The profile's `mfa_serial`: the code is asked before the call (`MFAPrompt`).
    public var mfaSerial: String?
    /// The profile whose `role_arn` this is; nil for `--assume-role`.
    public var profile: String?

    public var description: String { profile.map { "\(roleArn) (profile \($0))" } ?? roleArn }
}
