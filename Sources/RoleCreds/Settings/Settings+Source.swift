/// The base source of credentials (spec §2, §7, §9): named by `--source`, by the profile, or found in
/// the environment.
extension Settings {
    /// The base source of credentials, one for the flags, the environment and the profile alike; the
    /// providers, `ProviderFactory` and `AgentPlan` take it as it is.
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

    /// The source with its origin, and for IMDS where its endpoint and the IMDSv1 switch came from.
    struct ResolvedSource {
        var source: Setting<Source>
        var imdsEndpointOrigin: SettingOrigin?
        var imdsV1Disabled: Setting<Bool>?
        init(_ source: Setting<Source>) { self.source = source }
    }

    /// The metadata timeout and attempts every metadata source is made with.
    typealias MetadataLimits = (timeoutMillis: Int64, attempts: Int)

    /// `--source`, else the profile's plan, else web identity from the flags and the environment, else
    /// the container or IMDS (spec §2).
    static func resolveSource(_ input: SettingsInput, limits: MetadataLimits) throws(UsageError) -> ResolvedSource {
        let options = input.options
        if !options.rolesAnywhere.isEmpty && options.source != .rolesAnywhere {
            throw UsageError("--certificate, --private-key, --intermediates, --trust-anchor-arn, --profile-arn and --session-duration need --source roles-anywhere")
        }
        let webIdentity = options.source == .rolesAnywhere ? nil : try resolveWebIdentity(options, input.env)
        switch options.source {
        case .auto:
            // The profile names the source and the roles (spec §8).
            if case .chain(let base, _) = input.plan { return try profileSource(base, input, limits: limits) }
            if let webIdentity { return ResolvedSource(Setting(.webIdentity(webIdentity), webIdentityOrigin(webIdentity, options))) }
            return try automaticSource(input, limits: limits)
        case .webIdentity:
            guard let webIdentity else {
                throw UsageError("--source web-identity needs a role ARN (--role-arn or AWS_ROLE_ARN) and a token (--web-identity-token-file, AWS_WEB_IDENTITY_TOKEN_FILE or a GitHub Actions job allowed to ask for one)")
            }
            return ResolvedSource(Setting(.webIdentity(webIdentity), .flag("--source")))
        case .rolesAnywhere:
            return ResolvedSource(Setting(.rolesAnywhere(try resolveRolesAnywhere(input)), .flag("--source")))
        case .container:
            return try container(input, .flag("--source"), limits: limits)
        case .imds:
            return try imds(input, .flag("--source"), limits: limits)
        }
    }

    /// Nothing named a source: the container's variables, else IMDS unless the environment disables it.
    static func automaticSource(_ input: SettingsInput, limits: MetadataLimits) throws(UsageError) -> ResolvedSource {
        let env = input.env
        if let variable = ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"].first(where: { env[$0] != nil }) {
            return try container(input, .environment(variable), limits: limits)
        }
        if input.options.imdsEndpoint != nil {
            // An explicit endpoint is the stronger wish, even when IMDS is disabled by the environment.
            return try imds(input, .flag("--imds-endpoint"), limits: limits)
        }
        if env["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true" {
            // As botocore reads it: `true` in any case disables IMDS, any other value does not.
            throw UsageError("no credential source: AWS_CONTAINER_CREDENTIALS_* are not set and IMDS is disabled by AWS_EC2_METADATA_DISABLED=true")
        }
        return try imds(input, .defaultValue, limits: limits)
    }

    /// The container credential endpoint as the environment names it.
    static func container(_ input: SettingsInput, _ origin: SettingOrigin, limits: MetadataLimits) throws(UsageError) -> ResolvedSource {
        ResolvedSource(Setting(.container(try ContainerConfig.resolve(input.env, timeoutMillis: limits.timeoutMillis,
                                                                      attempts: limits.attempts)), origin))
    }

    /// IMDS, with where its endpoint and the IMDSv1 switch came from.
    static func imds(_ input: SettingsInput, _ origin: SettingOrigin, limits: MetadataLimits) throws(UsageError) -> ResolvedSource {
        let (config, endpoint, v1) = try resolveIMDS(input.options, input.env, profile: input.profileSettings,
                                                     timeoutMillis: limits.timeoutMillis, attempts: limits.attempts)
        var found = ResolvedSource(Setting(.imds(config), origin))
        found.imdsEndpointOrigin = endpoint
        found.imdsV1Disabled = v1
        return found
    }
}
