/// What a profile asks for, decided before any call (spec §7, §8): base credentials, then roles to assume
/// with them in order. Pure. Follows the SDKs (botocore's `AssumeRoleProvider`, the Rust SDK's profile
/// chain):
///
/// - The selected profile with `role_arn` is a hop; its credentials come from `source_profile` (another
///   profile, followed to any depth) or `credential_source` — exactly one of the two. `role_arn` with
///   `web_identity_token_file` is not a hop but a web identity base.
/// - A *source* profile with static keys starts the chain with them, even if it has a `role_arn` too
///   (the SDKs let static keys take precedence there). Only the selected profile may name itself as
///   `source_profile`, to use its own static keys for its own role.
/// - A `source_profile` that leads back to a profile already on the path is a cycle, reported with the path.
/// - `credential_process` (spec §9) and the `roles_anywhere_*` keys (IAM Roles Anywhere) are base sources.
/// - SSO and console-login profiles are refused: this tool does not run them.
public enum ProfilePlan: Equatable, Sendable, CustomStringConvertible {
    /// The profile has no credential settings (or is an absent `default`): the usual source chain applies.
    case none
    /// Start with `base`, then assume each role of `hops` in order with the credentials of the step before.
    case chain(base: Base, hops: [AssumeRoleSettings])

    /// The plan for profile `name` of `set`. An absent profile gives `.none`: whether that is an error
    /// is `ProfileSelection`'s decision.
    public static func resolve(_ set: ProfileSet, profile name: String) throws(SettingsError) -> ProfilePlan {
        guard var profile = set.profile(name) else { return .none }
        var path: [String] = []
        var hops: [AssumeRoleSettings] = []
        let base: Base
        while true {
            path.append(profile.name)
            let isSource = path.count > 1
            if isSource, let keys = try staticKeys(profile, set: set, required: false) {
                base = .source(.staticKeys(keys), profile: profile.name)
                break
            }
            // `role_arn` present, even empty, makes a hop: an unusable value is an error, never a fall-back.
            guard profile["role_arn"] != nil, profile.value("web_identity_token_file") == nil else {
                guard let found = try baseSource(profile, set: set) else {
                    if !isSource { return .none }
                    throw SettingsError(.invalid, "profile '\(profile.name)' (source_profile of '\(path[path.count - 2])') has no credentials: it needs static keys, role_arn or credential_source")
                }
                base = found
                break
            }
            guard hops.count < IAMValues.maxChainHops else {
                throw SettingsError(.invalid, "the role chain of profile '\(path[0])' is longer than \(IAMValues.maxChainHops) roles (\(path.prefix(4).joined(separator: " -> ")) -> …); at most \(IAMValues.maxChainHops) are assumed")
            }
            hops.append(try hop(profile, set: set))
            switch (profile.value("source_profile"), profile.value("credential_source")) {
            case (.some, .some):
                throw SettingsError(.invalid, "profile '\(profile.name)' has both source_profile and credential_source; use one")
            case (nil, nil):
                throw SettingsError(.invalid, "profile '\(profile.name)' has role_arn but neither source_profile nor credential_source")
            case (nil, .some(let source)):
                base = .credentialSource(try namedSource(source, profile: profile.name), profile: profile.name)
            case (.some(let next), nil) where next == profile.name:
                // A profile may use its own static keys for its own role_arn; nothing else can come from itself.
                guard let keys = try staticKeys(profile, set: set, required: true) else {
                    throw SettingsError(.cycle, "source_profile cycle: \((path + [next]).joined(separator: " -> ")) ('\(profile.name)' names itself but has no static keys)")
                }
                base = .source(.staticKeys(keys), profile: profile.name)
            case (.some(let next), nil):
                guard let nextProfile = set.profile(next) else {
                    throw SettingsError(.missingProfile, "profile '\(next.quotable(limit: 64))' (source_profile of '\(profile.name)') is not in \(set.filesDescription)")
                }
                if path.contains(next) {
                    throw SettingsError(.cycle, "source_profile cycle: \((path + [next]).joined(separator: " -> "))")
                }
                profile = nextProfile
                continue
            }
            break
        }
        return .chain(base: base, hops: hops.reversed())
    }

    /// The profiles' credential settings other than a role hop, in the Rust SDK's order:
    /// `credential_source`, web identity, SSO, console login, `credential_process`, static keys.
    /// nil when the profile has none of them.
    static func baseSource(_ profile: Profile, set: ProfileSet) throws(SettingsError) -> Base? {
        let name = profile.name
        if let source = profile.value("credential_source") {
            return .credentialSource(try namedSource(source, profile: name), profile: name)
        }
        if let tokenFile = profile.value("web_identity_token_file") {
            guard let roleArn = profile.value("role_arn") else {
                throw SettingsError(.invalid, "profile '\(name)' has web_identity_token_file but no role_arn")
            }
            try check { () throws(UsageError) in
                try IAMValues.checkRoleArn(roleArn, from: origin("role_arn", profile, set))
                if let name = profile["role_session_name"]?.value {
                    try IAMValues.checkSessionName(name, from: origin("role_session_name", profile, set))
                }
            }
            return .source(.webIdentity(WebIdentitySettings(roleArn: roleArn, token: .file(tokenFile),
                                                            sessionName: profile["role_session_name"]?.value)), profile: name)
        }
        let ssoKeys = ["sso_start_url", "sso_session", "sso_account_id", "sso_role_name", "sso_region"]
        if let key = ssoKeys.first(where: { profile[$0] != nil }) {
            throw SettingsError(.unsupported, "profile '\(name)' uses AWS IAM Identity Center (SSO, \(key)), which with-role-creds does not support; run `aws sso login` and use an SSO-aware tool, or give the profile role_arn with credential_source")
        }
        if profile["login_session"] != nil {
            throw SettingsError(.unsupported, "profile '\(name)' uses a console login session (login_session), which with-role-creds does not support")
        }
        if let command = profile.value("credential_process") {
            return .source(.process(ProcessSettings(commandLine: command, profile: name)), profile: name)
        }
        if try checkRolesAnywhere(profile) { return .rolesAnywhere(profile: name) }
        return try staticKeys(profile, set: set, required: true).map { .source(.staticKeys($0), profile: name) }
    }

    /// Static keys of a profile. nil when it has none; half a pair is an error when `required`, and
    /// otherwise nil (a source profile with a partial pair and a `role_arn` continues with the role,
    /// as in the SDKs). Keys that could not be sent as they are (a control character, a continuation
    /// line, not ASCII) are an error naming the key, never showing it: sent on, they could split a request.
    static func staticKeys(_ profile: Profile, set: ProfileSet, required: Bool) throws(SettingsError) -> StaticKeys? {
        let id = profile.value("aws_access_key_id")
        let secret = profile.value("aws_secret_access_key")
        let token = profile.value("aws_session_token")
        if let id, let secret {
            for (key, problem) in [("aws_access_key_id", CredentialText.keyIdProblem(id)),
                                   ("aws_secret_access_key", CredentialText.secretProblem(secret)),
                                   ("aws_session_token", token.flatMap(CredentialText.secretProblem))] {
                if let problem { throw SettingsError(.invalid, "\(origin(key, profile, set)) \(problem)") }
            }
            return StaticKeys(accessKeyId: id, secretAccessKey: Secret(secret), sessionToken: token.map(Secret.init),
                              profile: profile.name)
        }
        guard required, id != nil || secret != nil || token != nil else { return nil }
        throw SettingsError(.invalid, "profile '\(profile.name)' has \(id == nil ? "no aws_access_key_id" : "no aws_secret_access_key") for its static keys")
    }

    /// The role hop of a profile with `role_arn`, every value checked by the one rule of each (`IAMValues`).
    /// A key that is present but empty is checked too: it is a mistake, not a default.
    static func hop(_ profile: Profile, set: ProfileSet) throws(SettingsError) -> AssumeRoleSettings {
        let value = { (key: String) in profile[key]?.value }
        let roleArn = value("role_arn") ?? ""
        var duration: Int?
        try check { () throws(UsageError) in
            try IAMValues.checkRoleArn(roleArn, from: origin("role_arn", profile, set))
            if let name = value("role_session_name") { try IAMValues.checkSessionName(name, from: origin("role_session_name", profile, set)) }
            if let id = value("external_id") { try IAMValues.checkExternalId(id, from: origin("external_id", profile, set)) }
            if let serial = value("mfa_serial") { try IAMValues.checkMFASerial(serial, from: origin("mfa_serial", profile, set)) }
            if let text = value("duration_seconds") {
                duration = try IAMValues.durationSeconds(text, from: origin("duration_seconds", profile, set))
            }
        }
        return AssumeRoleSettings(roleArn: roleArn, sessionName: value("role_session_name"), externalId: value("external_id"),
                                  durationSeconds: duration, origin: settingOrigin("role_arn", profile, set),
                                  mfaSerial: value("mfa_serial"), profile: profile.name)
    }

    /// `key of profile NAME in FILE`, as `SettingOrigin` names a profile's key (even an empty one).
    static func origin(_ key: String, _ profile: Profile, _ set: ProfileSet) -> String {
        settingOrigin(key, profile, set).description
    }

    /// Where `key` of `profile` is set (the credentials file or the config file).
    static func settingOrigin(_ key: String, _ profile: Profile, _ set: ProfileSet) -> SettingOrigin {
        let file = profile[key]?.file == .credentials ? set.credentialsPath : set.configPath
        return .profile(key: key, profile: profile.name, file: file)
    }

    /// Runs the `IAMValues` checks of a profile; their one line becomes a `SettingsError`.
    static func check(_ body: () throws(UsageError) -> Void) throws(SettingsError) {
        do { try body() } catch { throw SettingsError(.invalid, error.description, underlying: error) }
    }

    /// `credential_source`, spelled exactly as botocore and the Go SDK v2 compare it.
    static func namedSource(_ text: String, profile: String) throws(SettingsError) -> NamedSource {
        guard let source = NamedSource(rawValue: text) else {
            throw SettingsError(.invalid, "profile '\(profile)': credential_source '\(text.quotable(limit: 40))' is not one of Ec2InstanceMetadata, EcsContainer, Environment (spelled exactly so)")
        }
        return source
    }

    public var description: String {
        switch self {
        case .none: return "no credentials from the profile"
        case .chain(let base, let hops): return ([base.description] + hops.map(\.description)).joined(separator: " -> ")
        }
    }
}
