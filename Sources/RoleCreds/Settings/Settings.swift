/// Where a setting's value came from, for `--check` and messages (spec §1: a flag beats an environment
/// variable, which beats the profile, which beats the default).
public enum SettingOrigin: Equatable, Sendable, CustomStringConvertible {
    case flag(String)
    case environment(String)
    /// A key of a profile of the shared files: the key, the profile and the file that set it.
    case profile(key: String, profile: String, file: String)
    /// Asked from the instance metadata service (the region, when nothing else gives one).
    case instanceMetadata(String)
    case defaultValue

    /// The origin of a value read from a profile.
    public static func profile(_ value: ProfileValue) -> SettingOrigin {
        .profile(key: value.key, profile: value.profile, file: value.path)
    }

    /// `--timeout`, `AWS_REGION`, `region of profile deploy in /home/u/.aws/config`, `default`: reads
    /// as the subject of a message (`… must be a number`) and after "from".
    public var description: String {
        switch self {
        case .flag(let name): return name
        case .environment(let name): return name
        case .profile(let key, let profile, let file): return "\(key) of profile \(profile) in \(file)"
        case .instanceMetadata(let path): return "IMDS \(path)"
        case .defaultValue: return "default"
        }
    }

    /// The kind of origin, as `--check --json` names it: `flag`, `environment`, `profile`, `imds`, `default`.
    public var kind: String {
        switch self {
        case .flag: return "flag"
        case .environment: return "environment"
        case .profile: return "profile"
        case .instanceMetadata: return "imds"
        case .defaultValue: return "default"
        }
    }
}

/// A value with its origin. The conformances are conditional rather than constraints on `Value`: a
/// constrained generic type has its requirements checked by the runtime (a scan of every conformance
/// record) the first time each `Setting<T>` is used, which cost ~0.2 M instructions per start.
public struct Setting<Value> {
    public var value: Value
    public var origin: SettingOrigin
    public init(_ value: Value, _ origin: SettingOrigin) { self.value = value; self.origin = origin }
}

extension Setting: Equatable where Value: Equatable {}
extension Setting: Sendable where Value: Sendable {}

/// Where a web identity token comes from (spec §7).
public enum WebIdentityToken: Equatable, Sendable {
    /// A file, re-read on every fetch.
    case file(String)
    /// The GitHub Actions job's OIDC token service, asked with the job's bearer token.
    case github(url: HTTPURL, requestToken: Secret)
}

/// Web identity: a role and a token.
public struct WebIdentitySettings: Equatable, Sendable {
    public var roleArn: String
    public var token: WebIdentityToken
    public var sessionName: String?
}

/// One role assumed with the credentials before it.
public struct AssumeRoleSettings: Equatable, Sendable {
    public var roleArn: String
    public var sessionName: String?
    public var externalId: String?
    public var durationSeconds: Int?
    /// Compact JSON (read and checked before any call); nil: none.
    public var policy: String?
    /// What named this role: `--assume-role` or a profile's `role_arn`.
    public var origin: SettingOrigin = .defaultValue
    /// The profile's `mfa_serial`: the code is asked before the call (`MFAPrompt`).
    public var mfaSerial: String?
    /// The profile this role is from, for the MFA prompt; nil for `--assume-role`.
    public var profile: String?
}

/// Everything the run needs to know, resolved once and purely from the options, the environment and the
/// shared config file (spec §1, §8): a flag beats an environment variable, which beats the profile, which
/// beats the default; each value keeps its origin for `--check`. Every flag, variable and profile value is
/// validated here, so a mistake is reported before any connection.
public struct Settings: Equatable, Sendable {
    /// The base source of credentials.
    public enum Source: Equatable, Sendable {
        case imds(IMDSConfig)
        case container(ContainerConfig)
        case webIdentity(WebIdentitySettings)
        /// Keys from the shared credentials file or the environment that start a profile's chain.
        case staticKeys(StaticKeys)
        /// A profile's `credential_process` helper (spec §9).
        case process(ProcessSettings)
        /// IAM Roles Anywhere (spec §9).
        case rolesAnywhere(RolesAnywhereSettings)

        var isWebIdentity: Bool { if case .webIdentity = self { return true } else { return false } }
        /// A credential helper or Roles Anywhere: a source for hosts outside AWS.
        var isOutsideAWS: Bool {
            switch self {
            case .process, .rolesAnywhere: return true
            default: return false
            }
        }
    }

    public var source: Setting<Source>
    public var timeoutMillis: Setting<Int64>
    public var attempts: Setting<Int>
    /// The region the child gets when known without asking IMDS; nil: ask IMDS (or leave unset).
    public var region: Setting<String>?
    /// Whether region variables are set at all (`--no-region`).
    public var setRegion: Bool
    /// Where the IMDS endpoint came from, when IMDS is the source.
    public var imdsEndpointOrigin: SettingOrigin?
    /// `AWS_EC2_METADATA_V1_DISABLED` or the profile's `ec2_metadata_v1_disabled`, when IMDS is the source.
    public var imdsV1Disabled: Setting<Bool>?
    /// Roles assumed after the base credentials, in order (the profile's chain, then `--assume-role`).
    public var hops: [AssumeRoleSettings] = []
    /// `--session-policy FILE`, read and checked by the launcher before any call (for the last hop).
    public var sessionPolicyFile: String?
    /// Where STS is, when the chain needs it.
    public var sts: STSEndpoint?
    /// What chose the STS endpoint (a variable, the profile's `endpoint_url`, or the default for the region).
    public var stsOrigin: SettingOrigin?
    /// `AWS_CA_BUNDLE`, else the profile's `ca_bundle`: a private CA added to the system trust.
    public var caBundle: Setting<String>?
    /// The profile in use, when the shared files have it.
    public var profile: ProfileSelection?
    /// The files the profile in use was read from (config first), for `--check`.
    public var profileFiles: [String] = []
    /// Facts worth a `-v` line (a setting read but not supported).
    public var notes: [String] = []

    /// Resolves the settings (pure): `profiles` is the shared config and credentials files as read.
    public static func resolve(_ options: Options, environment env: EnvironmentLookup,
                               profiles: ProfileSet? = nil) throws(UsageError) -> Settings {
        let selection = ProfileSelection.choose(flag: options.profile, environment: env)
        var profile: Profile?
        var plan = ProfilePlan.none
        if let profiles {
            do {
                profile = try selection.profile(in: profiles)
                if profile != nil { plan = try ProfilePlan.resolve(profiles, profile: selection.name) }
                if case .chain(let base, let hops) = plan, hops.isEmpty,
                   !base.isUsedAlone(selectedBy: selection.origin, imdsEndpointFlag: options.imdsEndpoint != nil) { plan = .none }
            } catch { throw UsageError(error.description) }
        }
        let fromProfile = profiles.map { ProfileSettings(profile: profile, in: $0) }
        /// The origin of `key` of profile `name` (a chain reads keys of several profiles).
        func origin(_ key: String, of name: String) -> SettingOrigin {
            guard let profiles, let value = ProfileSettings(profile: profiles.profile(name), in: profiles)[key] else {
                return .profile(key: key, profile: name, file: profiles?.filesDescription ?? "the shared files")
            }
            return .profile(value)
        }
        let timeout = try resolveTimeout(options, env, profile: fromProfile)
        let attempts = try resolveAttempts(options, env, profile: fromProfile)
        var endpointOrigin: SettingOrigin?
        var v1Disabled: Setting<Bool>?
        let source: Setting<Source>
        let containerVariable = ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"].first { env[$0] != nil }
        func container(_ origin: SettingOrigin) throws(UsageError) -> Setting<Source> {
            Setting(.container(try ContainerConfig.resolve(env, timeoutMillis: timeout.value, attempts: attempts.value)), origin)
        }
        func imds(_ origin: SettingOrigin) throws(UsageError) -> Setting<Source> {
            let (config, endpoint, v1) = try resolveIMDS(options, env, profile: fromProfile,
                                                         timeoutMillis: timeout.value, attempts: attempts.value)
            endpointOrigin = endpoint
            v1Disabled = v1
            return Setting(.imds(config), origin)
        }
        if !options.rolesAnywhere.isEmpty && options.source != .rolesAnywhere {
            throw UsageError("--certificate, --private-key, --intermediates, --trust-anchor-arn, --profile-arn and --session-duration need --source roles-anywhere")
        }
        let webIdentity = options.source == .rolesAnywhere ? nil : try resolveWebIdentity(options, env)
        var hops: [AssumeRoleSettings] = []
        switch options.source {
        case .auto where plan != .none:
            // The profile names the source and the roles (spec §8).
            guard case .chain(let base, let planned) = plan else { fatalError("unreachable") }
            hops = planned.map { AssumeRoleSettings(roleArn: $0.roleArn, sessionName: $0.sessionName, externalId: $0.externalId,
                                                    durationSeconds: $0.durationSeconds, policy: nil,
                                                    origin: origin("role_arn", of: $0.profile), mfaSerial: $0.mfaSerial, profile: $0.profile) }
            switch base {
            case .staticKeys(let keys):
                source = Setting(.staticKeys(keys), origin("aws_access_key_id", of: keys.profile))
            case .webIdentity(let w):
                source = Setting(.webIdentity(WebIdentitySettings(roleArn: w.roleArn, token: .file(w.tokenFile), sessionName: w.sessionName)),
                                 origin("web_identity_token_file", of: w.profile))
            case .process(let command, let name):
                source = Setting(.process(ProcessSettings(commandLine: command, profile: name)), origin("credential_process", of: name))
            case .rolesAnywhere(let r):
                let settings = try RolesAnywhereSettings.make(
                    certificate: r.certificate, privateKey: r.privateKey, intermediates: r.intermediates, trustAnchorArn: r.trustAnchorArn,
                    profileArn: r.profileArn, roleArn: r.roleArn, durationSeconds: r.durationSeconds, sessionName: nil,
                    environment: env, what: "profile '\(r.profile)'")
                source = Setting(.rolesAnywhere(settings), origin("roles_anywhere_certificate", of: r.profile))
            case .credentialSource(.ec2InstanceMetadata, let name):
                // The variable disables IMDS everywhere (botocore errors too); only an explicit endpoint wins.
                if options.imdsEndpoint == nil, env["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true" {
                    throw UsageError("\(origin("credential_source", of: name)) is Ec2InstanceMetadata, but IMDS is disabled by AWS_EC2_METADATA_DISABLED=true")
                }
                source = try imds(origin("credential_source", of: name))
            case .credentialSource(.ecsContainer, let name):
                source = try container(origin("credential_source", of: name))
            case .credentialSource(.environment, let name):
                guard let id = env["AWS_ACCESS_KEY_ID"], let secret = env["AWS_SECRET_ACCESS_KEY"] else {
                    throw UsageError("credential_source = Environment needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
                }
                try checkEnvironmentKeys(id: id, secret: secret, token: env["AWS_SESSION_TOKEN"])
                source = Setting(.staticKeys(StaticKeys(accessKeyId: id, secretAccessKey: Secret(secret),
                                                        sessionToken: env["AWS_SESSION_TOKEN"].map(Secret.init), profile: selection.name)),
                                 origin("credential_source", of: name))
            }
        case .webIdentity:
            guard let webIdentity else {
                throw UsageError("--source web-identity needs a role ARN (--role-arn or AWS_ROLE_ARN) and a token (--web-identity-token-file, AWS_WEB_IDENTITY_TOKEN_FILE or a GitHub Actions job allowed to ask for one)")
            }
            source = Setting(.webIdentity(webIdentity), .flag("--source"))
        case .auto where webIdentity != nil:
            source = Setting(.webIdentity(webIdentity!), webIdentityOrigin(webIdentity!, options))
        case .rolesAnywhere:
            source = Setting(.rolesAnywhere(try resolveRolesAnywhere(options, env, profile: profile)), .flag("--source"))
        case .container:
            source = try container(.flag("--source"))
        case .imds:
            source = try imds(.flag("--source"))
        case .auto:
            if let containerVariable {
                source = try container(.environment(containerVariable))
            } else if options.imdsEndpoint != nil {
                // An explicit endpoint is the stronger wish, even when IMDS is disabled by the environment.
                source = try imds(.flag("--imds-endpoint"))
            } else if env["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true" {
                // As botocore reads it: `true` in any case disables IMDS, any other value does not.
                throw UsageError("no credential source: AWS_CONTAINER_CREDENTIALS_* are not set and IMDS is disabled by AWS_EC2_METADATA_DISABLED=true")
            } else {
                source = try imds(.defaultValue)
            }
        }
        if let arn = options.assumeRoleArn {
            hops.append(AssumeRoleSettings(roleArn: arn, sessionName: try sessionName(options, env),
                                           externalId: options.externalId, durationSeconds: options.durationSeconds, policy: nil,
                                           origin: .flag("--assume-role")))
        } else if options.externalId != nil || options.durationSeconds != nil || options.sessionPolicyFile != nil {
            guard !hops.isEmpty else {
                throw UsageError("--external-id, --duration and --session-policy need a role to assume (--assume-role ARN or a profile's role_arn)")
            }
            hops[hops.count - 1].externalId = options.externalId ?? hops[hops.count - 1].externalId
            hops[hops.count - 1].durationSeconds = options.durationSeconds ?? hops[hops.count - 1].durationSeconds
        }
        guard hops.count <= IAMValues.maxChainHops else {
            throw UsageError("the role chain has \(hops.count) roles to assume (the profile's and --assume-role); at most \(IAMValues.maxChainHops) are allowed")
        }
        let region = resolveRegion(env, profile: fromProfile)
        var sts: STSEndpoint?
        if case .webIdentity = source.value { sts = try stsEndpoint(env, fromProfile, profiles, region) }
        if !hops.isEmpty { sts = try stsEndpoint(env, fromProfile, profiles, region) }
        var settings = Settings(source: source, timeoutMillis: timeout, attempts: attempts,
                                region: region, setRegion: !options.noRegion, imdsEndpointOrigin: endpointOrigin)
        settings.imdsV1Disabled = v1Disabled
        settings.hops = hops
        settings.sessionPolicyFile = options.sessionPolicyFile
        settings.sts = sts
        settings.stsOrigin = sts.map { stsOrigin($0, profile: fromProfile) }
        if sts != nil { settings.notes += stsNotes(env, fromProfile) }
        if let bundle = env["AWS_CA_BUNDLE"] {
            settings.caBundle = Setting(bundle, .environment("AWS_CA_BUNDLE"))
        } else if let bundle = fromProfile?.caBundle {
            settings.caBundle = Setting(bundle.value, .profile(bundle))
        }
        if let profile, let profiles {
            settings.profile = selection
            settings.profileFiles = profiles.files(ofProfile: profile.name)
        }
        return settings
    }

    /// What chose the STS endpoint, from the name `STSEndpoint.resolve` gives it.
    static func stsOrigin(_ endpoint: STSEndpoint, profile: ProfileSettings?) -> SettingOrigin {
        switch endpoint.origin {
        case "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL": return .environment(endpoint.origin)
        case STSEndpoint.profileEndpointOrigin: return profile?.endpointURL.map { .profile($0) } ?? .defaultValue
        case STSEndpoint.servicesEndpointOrigin: return profile?.services.map { servicesOrigin($0) } ?? .defaultValue
        default: return .defaultValue
        }
    }

    /// Web identity settings from the flags and the environment (spec §7), nil when none are present.
    /// A token without a role ARN is an error, never a reason to fall back to IMDS (on EKS that is the
    /// node's role). A role ARN alone is not web identity.
    static func resolveWebIdentity(_ options: Options, _ env: EnvironmentLookup) throws(UsageError) -> WebIdentitySettings? {
        let roleArn = options.roleArn ?? env["AWS_ROLE_ARN"]
        var token: WebIdentityToken?
        if let file = options.webIdentityTokenFile ?? env["AWS_WEB_IDENTITY_TOKEN_FILE"] {
            token = .file(file)
        } else if let url = env["ACTIONS_ID_TOKEN_REQUEST_URL"], let requestToken = env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"], roleArn != nil {
            do { token = .github(url: try HTTPURL.parse(url, allowingHTTPS: true), requestToken: Secret(requestToken)) } catch {
                throw UsageError("ACTIONS_ID_TOKEN_REQUEST_URL: \(error)")
            }
        }
        guard let token else { return nil }
        guard let roleArn else {
            throw UsageError("a web identity token is set (AWS_WEB_IDENTITY_TOKEN_FILE or --web-identity-token-file) but no role ARN (AWS_ROLE_ARN or --role-arn); not falling back to another source")
        }
        if options.roleArn == nil { try IAMValues.checkRoleArn(roleArn, from: "AWS_ROLE_ARN") }
        return WebIdentitySettings(roleArn: roleArn, token: token, sessionName: try sessionName(options, env))
    }

    /// `--role-session-name`, else `AWS_ROLE_SESSION_NAME` (checked here, before anything is fetched).
    static func sessionName(_ options: Options, _ env: EnvironmentLookup) throws(UsageError) -> String? {
        if let flag = options.roleSessionName { return flag }
        guard let name = env["AWS_ROLE_SESSION_NAME"] else { return nil }
        try IAMValues.checkSessionName(name, from: "AWS_ROLE_SESSION_NAME")
        return name
    }

    /// `credential_source = Environment`: the keys are checked like any answer's (`CredentialText`), by
    /// variable name, never by value (issue 19: a CR LF in `AWS_SESSION_TOKEN` split the STS request).
    static func checkEnvironmentKeys(id: String, secret: String, token: String?) throws(UsageError) {
        for (name, problem) in [("AWS_ACCESS_KEY_ID", CredentialText.keyIdProblem(id)),
                                ("AWS_SECRET_ACCESS_KEY", CredentialText.secretProblem(secret)),
                                ("AWS_SESSION_TOKEN", token.flatMap(CredentialText.secretProblem))] {
            if let problem { throw UsageError("\(name) \(problem)") }
        }
    }

    /// What chose web identity when nothing named a source: the token's own setting (the flag, the
    /// variable, or the GitHub Actions job's token service).
    static func webIdentityOrigin(_ settings: WebIdentitySettings, _ options: Options) -> SettingOrigin {
        switch settings.token {
        case .github: return .environment("ACTIONS_ID_TOKEN_REQUEST_URL")
        case .file: return options.webIdentityTokenFile != nil ? .flag("--web-identity-token-file") : .environment("AWS_WEB_IDENTITY_TOKEN_FILE")
        }
    }

    /// `--source roles-anywhere`: each value from its flag, else the selected profile's `roles_anywhere_*` key
    /// (the role: `--role-arn`, `AWS_ROLE_ARN`, then `roles_anywhere_role_arn`).
    static func resolveRolesAnywhere(_ options: Options, _ env: EnvironmentLookup, profile: Profile?) throws(UsageError) -> RolesAnywhereSettings {
        let o = options.rolesAnywhere
        func need(_ value: String?, _ flag: String, _ key: String) throws(UsageError) -> String {
            guard let value = value ?? profile?.value(key) else {
                throw UsageError("--source roles-anywhere needs \(flag) (or the profile's \(key))")
            }
            return value
        }
        var duration = o.sessionDurationSeconds
        if duration == nil, let text = profile?.value("roles_anywhere_session_duration") {
            guard text.allSatisfy({ $0.isASCII && $0.isNumber }), let seconds = Int(text) else {
                throw UsageError("roles_anywhere_session_duration must be a whole number of seconds, not '\(text.quotable(limit: 20))'")
            }
            duration = seconds
        }
        return try RolesAnywhereSettings.make(
            certificate: try need(o.certificate, "--certificate", "roles_anywhere_certificate"),
            privateKey: try need(o.privateKey, "--private-key", "roles_anywhere_private_key"),
            intermediates: o.intermediates ?? profile?.value("roles_anywhere_intermediates"),
            trustAnchorArn: try need(o.trustAnchorArn, "--trust-anchor-arn", "roles_anywhere_trust_anchor_arn"),
            profileArn: try need(o.profileArn, "--profile-arn", "roles_anywhere_profile_arn"),
            roleArn: try need(options.roleArn ?? env["AWS_ROLE_ARN"], "--role-arn", "roles_anywhere_role_arn"),
            durationSeconds: duration, sessionName: options.roleSessionName ?? env["AWS_ROLE_SESSION_NAME"],
            environment: env, what: "--source roles-anywhere")
    }

    /// `AWS_REGION`, else `AWS_DEFAULT_REGION`, else the profile's `region` (spec §3); IMDS is asked
    /// only when none is set.
    static func resolveRegion(_ env: EnvironmentLookup, profile: ProfileSettings?) -> Setting<String>? {
        for name in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
            if let value = env[name] { return Setting(value, .environment(name)) }
        }
        return profile?.region.map { Setting($0.value, .profile($0)) }
    }

    /// The first of: the variable `name`, else the profile's `key`; nil when neither is set.
    static func layered(_ env: EnvironmentLookup, _ name: String, _ profileValue: ProfileValue?) -> (text: String, origin: SettingOrigin)? {
        if let text = env[name] { return (text, .environment(name)) }
        return profileValue.map { ($0.value, .profile($0)) }
    }

    /// `--timeout`, else `AWS_METADATA_SERVICE_TIMEOUT`, else the profile's `metadata_service_timeout`
    /// (seconds), else 1 s.
    static func resolveTimeout(_ options: Options, _ env: EnvironmentLookup, profile: ProfileSettings? = nil) throws(UsageError) -> Setting<Int64> {
        if let t = options.timeoutMillis { return Setting(t, .flag("--timeout")) }
        guard let (text, origin) = layered(env, "AWS_METADATA_SERVICE_TIMEOUT", profile?.metadataServiceTimeout) else {
            return Setting(1000, .defaultValue)
        }
        guard let ms = DurationText.parseMillis(text), ms > 0, text.allSatisfy({ $0.isNumber || $0 == "." }) else {
            throw UsageError("\(origin) must be a number of seconds, not '\(text.quotable(limit: 40))'")
        }
        return Setting(ms, origin)
    }

    /// `--attempts`, else `AWS_METADATA_SERVICE_NUM_ATTEMPTS`, else the profile's
    /// `metadata_service_num_attempts`, else 3.
    static func resolveAttempts(_ options: Options, _ env: EnvironmentLookup, profile: ProfileSettings? = nil) throws(UsageError) -> Setting<Int> {
        if let a = options.attempts { return Setting(a, .flag("--attempts")) }
        guard let (text, origin) = layered(env, "AWS_METADATA_SERVICE_NUM_ATTEMPTS", profile?.metadataServiceNumAttempts) else {
            return Setting(3, .defaultValue)
        }
        return Setting(try IAMValues.attempts(text, from: origin.description), origin)
    }

    /// The IMDS endpoint (spec §2, §8), as the SDKs resolve it (`imds-endpoint-tests.json`): an endpoint anywhere
    /// beats a mode anywhere — `--imds-endpoint`, `AWS_EC2_METADATA_SERVICE_ENDPOINT`, the profile's
    /// `ec2_metadata_service_endpoint`; then `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE`, the profile's
    /// `ec2_metadata_service_endpoint_mode`; else IPv4. Also whether IMDSv1 is disabled.
    static func resolveIMDS(_ options: Options, _ env: EnvironmentLookup, profile: ProfileSettings? = nil,
                            timeoutMillis: Int64, attempts: Int) throws(UsageError) -> (IMDSConfig, SettingOrigin, Setting<Bool>) {
        let text: String
        let origin: SettingOrigin
        if let flag = options.imdsEndpoint {
            text = flag; origin = .flag("--imds-endpoint")
        } else if let endpoint = layered(env, "AWS_EC2_METADATA_SERVICE_ENDPOINT", profile?.ec2MetadataServiceEndpoint) {
            (text, origin) = endpoint
        } else if let (mode, modeOrigin) = layered(env, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", profile?.ec2MetadataServiceEndpointMode) {
            origin = modeOrigin
            switch mode.lowercased() {
            case "ipv4": text = IMDSConfig.ipv4Endpoint
            case "ipv6": text = IMDSConfig.ipv6Endpoint
            default: throw UsageError("\(origin) must be IPv4 or IPv6, not '\(mode.quotable(limit: 40))'")
            }
        } else {
            text = IMDSConfig.ipv4Endpoint; origin = .defaultValue
        }
        var endpoint: HTTPURL
        do { endpoint = try HTTPURL.parse(text) } catch {
            throw UsageError("\(origin): \(error): '\(text.quotable(limit: 80))'")
        }
        // The SDKs treat the endpoint as a base: a trailing path is dropped in favour of /latest/…
        endpoint.path = "/"
        var role = options.role
        if role == nil, let name = env["AWS_EC2_INSTANCE_PROFILE_NAME"] {
            guard IAMValues.isRoleName(name) else {
                throw UsageError("AWS_EC2_INSTANCE_PROFILE_NAME: '\(name.quotable(limit: 64))' is not a valid role name")
            }
            role = name
        }
        let v1Disabled = try boolean(layered(env, "AWS_EC2_METADATA_V1_DISABLED", profile?.ec2MetadataV1Disabled))
        let config = IMDSConfig(endpoint: endpoint, allowV1: options.allowIMDSv1, v1Disabled: v1Disabled.value, role: role,
                                timeoutMillis: timeoutMillis, attempts: attempts)
        return (config, origin, v1Disabled)
    }

    /// `true` or `false` in any case, as botocore reads these switches; unset is `false` by default.
    static func boolean(_ layer: (text: String, origin: SettingOrigin)?) throws(UsageError) -> Setting<Bool> {
        guard let (text, origin) = layer else { return Setting(false, .defaultValue) }
        return Setting(try IAMValues.boolean(text, from: origin.description), origin)
    }
}

/// A `credential_process` of a profile.
public struct ProcessSettings: Equatable, Sendable, CustomStringConvertible {
    /// The command line as written; never shown (an argument may be a secret).
    public var commandLine: String
    public var profile: String
    public var description: String { "credential_process (profile \(profile))" }
}
