/// Where the first credentials of a profile chain come from.
extension ProfilePlan {
    public enum Base: Equatable, Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
        /// A source the profile gives whole: static keys, `role_arn` with `web_identity_token_file`, or
        /// `credential_process`; `profile` is the one whose keys they are.
        case source(Settings.Source, profile: String)
        /// `credential_source`: one of the metadata sources, or the environment's keys.
        case credentialSource(NamedSource, profile: String)
        /// The `roles_anywhere_*` keys of `profile` (present and complete): `Settings` reads them into
        /// `RolesAnywhereSettings`, whose endpoint the environment may set.
        case rolesAnywhere(profile: String)

        /// Whether this base, with no role after it, is the profile's whole answer: web identity always
        /// (it is a role already); static keys only when the profile was chosen by name (`--profile`,
        /// `AWS_PROFILE`, `AWS_DEFAULT_PROFILE`), as every SDK uses them, and no `--imds-endpoint` flag asks
        /// for the instance's role instead; not an implicit `default`'s keys, which never replace the role
        /// credentials this tool is for (spec §2, §8).
        public func isUsedAlone(selectedBy origin: ProfileSelection.Origin, imdsEndpointFlag: Bool = false) -> Bool {
            switch self {
            case .source(.staticKeys, _): return origin != .default && !imdsEndpointFlag
            case .source, .rolesAnywhere: return true
            case .credentialSource: return false
            }
        }

        /// The profile that supplied this base.
        public var profile: String {
            switch self {
            case .source(_, let profile), .credentialSource(_, let profile), .rolesAnywhere(let profile): return profile
            }
        }

        /// The key whose origin `--check` shows for this base.
        var originKey: String {
            switch self {
            case .source(.webIdentity, _): return "web_identity_token_file"
            case .source(.process, _): return "credential_process"
            case .source: return "aws_access_key_id"
            case .credentialSource: return "credential_source"
            case .rolesAnywhere: return "roles_anywhere_certificate"
            }
        }

        public var description: String {
            switch self {
            case .source(.staticKeys(let keys), _): return keys.description
            case .source(.webIdentity(let w), let profile): return "web identity \(w.roleArn) (profile \(profile))"
            case .source(.process(let p), _): return p.description
            case .source(_, let profile): return "credentials of profile \(profile)"
            case .credentialSource(let source, let profile): return "\(source.rawValue) (profile \(profile))"
            case .rolesAnywhere(let profile): return "IAM Roles Anywhere (profile \(profile))"
            }
        }
        public var debugDescription: String { description }
        public var customMirror: Mirror { Mirror(self, children: ["source": description], displayStyle: .enum) }
    }

    /// The IAM Roles Anywhere keys of a profile (spec §9), named after aws/rolesanywhere-credential-helper's
    /// options with a `roles_anywhere_` prefix, so no SDK mistakes them for its own (`role_arn` would be a hop).
    static let rolesAnywhereKeys = ["roles_anywhere_certificate", "roles_anywhere_private_key", "roles_anywhere_trust_anchor_arn",
                                    "roles_anywhere_profile_arn", "roles_anywhere_role_arn"]

    /// Whether the profile uses IAM Roles Anywhere: false when it has none of the keys; an error when it
    /// has some but not all required ones, or a session duration STS would refuse.
    static func checkRolesAnywhere(_ profile: Profile) throws(SettingsError) -> Bool {
        let optional = ["roles_anywhere_intermediates", "roles_anywhere_session_duration"]
        guard (rolesAnywhereKeys + optional).contains(where: { profile.value($0) != nil }) else { return false }
        if let missing = rolesAnywhereKeys.first(where: { profile.value($0) == nil }) {
            throw SettingsError(.invalid, "profile '\(profile.name)' uses IAM Roles Anywhere but has no \(missing)")
        }
        if let text = profile.value("roles_anywhere_session_duration") {
            try check { () throws(UsageError) in _ = try Settings.rolesAnywhereDuration(text, profile: profile.name) }
        }
        return true
    }
}

/// The `credential_source` values the SDKs define.
public enum NamedSource: String, CaseIterable, Equatable, Sendable {
    case ec2InstanceMetadata = "Ec2InstanceMetadata"
    case ecsContainer = "EcsContainer"
    case environment = "Environment"
}
