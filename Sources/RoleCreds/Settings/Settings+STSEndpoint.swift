/// The STS endpoint's settings from the profile and its `[services NAME]` section (spec §8).
extension Settings {
    /// The STS endpoint, its origin and notes, when the chain calls STS (web identity, or a role to assume).
    mutating func resolveSTS(_ input: SettingsInput) throws(UsageError) {
        guard source.value.isWebIdentity || !hops.isEmpty else { return }
        let endpoint = try Settings.stsEndpoint(input.env, input.profileSettings, input.profiles, region)
        sts = endpoint
        stsOrigin = Settings.stsOrigin(endpoint, profile: input.profileSettings)
        notes += Settings.stsNotes(input.env, input.profileSettings)
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

    /// The endpoint `STSEndpoint.resolve` gives for the variables, the profile's keys and `region`.
    static func stsEndpoint(_ env: EnvironmentLookup, _ profile: ProfileSettings?, _ profiles: ProfileSet?,
                            _ region: Setting<String>?) throws(UsageError) -> STSEndpoint {
        var keys = STSEndpoint.ProfileKeys(useFIPS: profile?["use_fips_endpoint"]?.value,
                                           useDualStack: profile?["use_dualstack_endpoint"]?.value,
                                           ignoreConfiguredEndpointURLs: profile?["ignore_configured_endpoint_urls"]?.value)
        if let name = profile?.services?.value {
            keys.servicesEndpointURL = servicesSection(name, in: profiles)?["sts"]?.subProperties
                .first { $0.name.lowercased() == "endpoint_url" }?.value
        }
        return try STSEndpoint.resolve(environment: env, profileEndpointURL: profile?.endpointURL?.value,
                                       region: region?.value, profile: keys)
    }

    /// The `[services NAME]` section of the config file, nil when it has none.
    static func servicesSection(_ name: String, in profiles: ProfileSet?) -> Profile? {
        profiles?.otherSections["services"]?.first { $0.name == name }
    }

    /// Where an endpoint from a `[services NAME]` section was set: `sts.endpoint_url of services NAME in FILE`.
    static func servicesOrigin(_ services: ProfileValue) -> SettingOrigin {
        .profile(key: "sts.endpoint_url", profile: "services \(services.value)", file: services.path)
    }

    /// `-v` lines about STS settings read but not acted on: `sts_regional_endpoints = legacy` (the global
    /// endpoint for the 16 original regions) is not supported; the regional endpoint is used, as the
    /// SDKs do by default since 2022.
    static func stsNotes(_ env: EnvironmentLookup, _ profile: ProfileSettings?) -> [String] {
        let origin: String
        let value: String
        if let v = env["AWS_STS_REGIONAL_ENDPOINTS"] { (origin, value) = ("AWS_STS_REGIONAL_ENDPOINTS", v) } else if let v = profile?["sts_regional_endpoints"] {
            (origin, value) = ("sts_regional_endpoints of \(v.origin)", v.value)
        } else { return [] }
        guard value.lowercased() == "legacy" else { return [] }
        return ["\(origin) = legacy is not supported: STS is called at the regional endpoint (or the global one when no region is set)"]
    }
}
