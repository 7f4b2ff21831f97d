/// Everything the run needs to know, resolved once and purely from the options, the environment and the
/// shared config file (spec §1, §8): a flag beats an environment variable, which beats the profile, which
/// beats the default; each value keeps its origin for `--check`. Every flag, variable and profile value is
/// validated here, so a mistake is reported before any connection.
public struct Settings: Equatable, Sendable {
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

    /// Resolves the settings (pure): `profiles` is the shared config and credentials files as read. The
    /// steps run in a fixed order, so the first mistake reported is always the same one: the profile's
    /// plan, the metadata limits, the source, the role chain, then the STS endpoint.
    public static func resolve(_ options: Options, environment env: EnvironmentLookup,
                               profiles: ProfileSet? = nil) throws(UsageError) -> Settings {
        let input = try SettingsInput(options, environment: env, profiles: profiles)
        let timeout = try resolveTimeout(options, env, profile: input.profileSettings)
        let attempts = try resolveAttempts(options, env, profile: input.profileSettings)
        let found = try resolveSource(input, limits: (timeout.value, attempts.value))
        var settings = Settings(source: found.source, timeoutMillis: timeout, attempts: attempts,
                                region: resolveRegion(env, profile: input.profileSettings), setRegion: !options.noRegion,
                                imdsEndpointOrigin: found.imdsEndpointOrigin)
        settings.imdsV1Disabled = found.imdsV1Disabled
        settings.hops = try roleChain(input)
        settings.sessionPolicyFile = options.sessionPolicyFile
        try settings.resolveSTS(input)
        settings.caBundle = caBundle(env, profile: input.profileSettings)
        if let profile = input.profile, let profiles {
            settings.profile = input.selection
            settings.profileFiles = profiles.files(ofProfile: profile.name)
        }
        return settings
    }

    /// `AWS_CA_BUNDLE`, else the profile's `ca_bundle`.
    static func caBundle(_ env: EnvironmentLookup, profile: ProfileSettings?) -> Setting<String>? {
        if let bundle = env["AWS_CA_BUNDLE"] { return Setting(bundle, .environment("AWS_CA_BUNDLE")) }
        return profile?.caBundle.map { Setting($0.value, .profile($0)) }
    }
}
