/// Where a setting's value came from, for `--check -v` and messages.
public enum SettingOrigin: Equatable, Sendable, CustomStringConvertible {
    case flag(String)
    case environment(String)
    case profile(String)
    case defaultValue

    public var description: String {
        switch self {
        case .flag(let name): return name
        case .environment(let name): return name
        case .profile(let key): return "profile key \(key)"
        case .defaultValue: return "default"
        }
    }
}

/// A value with its origin.
public struct Setting<Value: Equatable & Sendable>: Equatable, Sendable {
    public var value: Value
    public var origin: SettingOrigin
    public init(_ value: Value, _ origin: SettingOrigin) { self.value = value; self.origin = origin }
}

/// Everything the run needs to know, resolved once and purely from the options and the environment
/// (spec §1): a flag beats an environment variable, which beats the default. Every flag and variable is
/// validated here, so a mistake is reported before any connection.
public struct Settings: Equatable, Sendable {
    /// The base source of credentials.
    public enum Source: Equatable, Sendable {
        case imds(IMDSConfig)
        case container(ContainerConfig)
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

    /// Resolves the settings (pure).
    public static func resolve(_ options: Options, environment env: EnvironmentLookup) throws(UsageError) -> Settings {
        let timeout = try resolveTimeout(options, env)
        let attempts = try resolveAttempts(options, env)
        var endpointOrigin: SettingOrigin?
        let source: Setting<Source>
        let containerVariable = ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"].first { env[$0] != nil }
        func container(_ origin: SettingOrigin) throws(UsageError) -> Setting<Source> {
            Setting(.container(try ContainerConfig.resolve(env, timeoutMillis: timeout.value, attempts: attempts.value)), origin)
        }
        func imds(_ origin: SettingOrigin) throws(UsageError) -> Setting<Source> {
            let (config, endpoint) = try resolveIMDS(options, env, timeoutMillis: timeout.value, attempts: attempts.value)
            endpointOrigin = endpoint
            return Setting(.imds(config), origin)
        }
        switch options.source {
        case .container:
            source = try container(.flag("--source"))
        case .imds:
            source = try imds(.flag("--source"))
        case .webIdentity:
            throw UsageError("--source web-identity is not supported by this build yet")
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
        return Settings(source: source, timeoutMillis: timeout, attempts: attempts,
                        region: resolveRegion(env), setRegion: !options.noRegion, imdsEndpointOrigin: endpointOrigin)
    }

    /// `AWS_REGION`, else `AWS_DEFAULT_REGION` (spec §3); IMDS is asked only when neither is set.
    static func resolveRegion(_ env: EnvironmentLookup) -> Setting<String>? {
        for name in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
            if let value = env[name] { return Setting(value, .environment(name)) }
        }
        return nil
    }

    static func resolveTimeout(_ options: Options, _ env: EnvironmentLookup) throws(UsageError) -> Setting<Int64> {
        if let t = options.timeoutMillis { return Setting(t, .flag("--timeout")) }
        guard let text = env["AWS_METADATA_SERVICE_TIMEOUT"] else { return Setting(1000, .defaultValue) }
        guard let ms = DurationText.parseMillis(text), ms > 0, text.allSatisfy({ $0.isNumber || $0 == "." }) else {
            throw UsageError("AWS_METADATA_SERVICE_TIMEOUT must be a number of seconds, not '\(text.quotable(limit: 40))'")
        }
        return Setting(ms, .environment("AWS_METADATA_SERVICE_TIMEOUT"))
    }

    static func resolveAttempts(_ options: Options, _ env: EnvironmentLookup) throws(UsageError) -> Setting<Int> {
        if let a = options.attempts { return Setting(a, .flag("--attempts")) }
        guard let text = env["AWS_METADATA_SERVICE_NUM_ATTEMPTS"] else { return Setting(3, .defaultValue) }
        guard let n = Int(text), (1...20).contains(n) else {
            throw UsageError("AWS_METADATA_SERVICE_NUM_ATTEMPTS must be a whole number from 1 to 20, not '\(text.quotable(limit: 40))'")
        }
        return Setting(n, .environment("AWS_METADATA_SERVICE_NUM_ATTEMPTS"))
    }

    /// The IMDS endpoint (spec §2): `--imds-endpoint`, `AWS_EC2_METADATA_SERVICE_ENDPOINT`, then by
    /// `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE`, else IPv4.
    static func resolveIMDS(_ options: Options, _ env: EnvironmentLookup, timeoutMillis: Int64, attempts: Int) throws(UsageError) -> (IMDSConfig, SettingOrigin) {
        let text: String
        let origin: SettingOrigin
        if let flag = options.imdsEndpoint {
            text = flag; origin = .flag("--imds-endpoint")
        } else if let variable = env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] {
            text = variable; origin = .environment("AWS_EC2_METADATA_SERVICE_ENDPOINT")
        } else if let mode = env["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"] {
            origin = .environment("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE")
            switch mode.lowercased() {
            case "ipv4": text = IMDSConfig.ipv4Endpoint
            case "ipv6": text = IMDSConfig.ipv6Endpoint
            default: throw UsageError("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE must be IPv4 or IPv6, not '\(mode.quotable(limit: 40))'")
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
            guard Options.isValidRoleName(name) else {
                throw UsageError("AWS_EC2_INSTANCE_PROFILE_NAME: '\(name.quotable(limit: 64))' is not a valid role name")
            }
            role = name
        }
        let config = IMDSConfig(endpoint: endpoint, allowV1: options.allowIMDSv1,
                                v1Disabled: try boolean(env, "AWS_EC2_METADATA_V1_DISABLED"), role: role,
                                timeoutMillis: timeoutMillis, attempts: attempts)
        return (config, origin)
    }

    static func boolean(_ env: EnvironmentLookup, _ name: String) throws(UsageError) -> Bool {
        guard let text = env[name] else { return false }
        switch text.lowercased() {
        case "true": return true
        case "false": return false
        default: throw UsageError("\(name) must be true or false, not '\(text.quotable(limit: 40))'")
        }
    }
}
