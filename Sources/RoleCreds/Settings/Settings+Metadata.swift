/// The metadata settings (spec §2, §3, §8): region, timeout, attempts and the IMDS endpoint, each from
/// its flag, its variable or the profile's key, else the default.
extension Settings {
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
