/// Where credentials come from and how to ask, resolved from the options and the environment
/// before anything is fetched (spec §1, §2). Pure.
public enum SourceConfig: Equatable, Sendable {
    case imds(IMDSConfig)
    case container(ContainerConfig)

    /// The per-request deadline, ms.
    public var timeoutMillis: Int64 {
        switch self { case .imds(let c): return c.timeoutMillis; case .container(let c): return c.timeoutMillis }
    }

    /// Attempts per request.
    public var attempts: Int {
        switch self { case .imds(let c): return c.attempts; case .container(let c): return c.attempts }
    }

    /// Resolves the source. Every flag and variable is validated here, so a mistake is reported
    /// before any connection.
    public static func resolve(_ options: Options, environment env: EnvironmentLookup) throws(UsageError) -> SourceConfig {
        let timeout = try resolveTimeout(options, env)
        let attempts = try resolveAttempts(options, env)
        let imdsDisabled = env["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true"
        let containerSet = env["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] != nil || env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] != nil
        switch options.source {
        case .container:
            return .container(try ContainerConfig.resolve(env, timeoutMillis: timeout, attempts: attempts))
        case .auto where containerSet:
            return .container(try ContainerConfig.resolve(env, timeoutMillis: timeout, attempts: attempts))
        case .webIdentity:
            // Parsed by Options; the web identity source is wired by the STS work (spec §7).
            throw UsageError("--source web-identity is not supported by this build yet")
        case .imds, .auto:
            if imdsDisabled {
                throw UsageError(options.source == .imds
                    ? "IMDS is disabled by AWS_EC2_METADATA_DISABLED=true"
                    : "no credential source: AWS_CONTAINER_CREDENTIALS_* are not set and IMDS is disabled by AWS_EC2_METADATA_DISABLED=true")
            }
            return .imds(try IMDSConfig.resolve(options, env, timeoutMillis: timeout, attempts: attempts))
        }
    }

    static func resolveTimeout(_ options: Options, _ env: EnvironmentLookup) throws(UsageError) -> Int64 {
        if let t = options.timeoutMillis { return t }
        guard let text = env["AWS_METADATA_SERVICE_TIMEOUT"] else { return 1000 }
        guard let ms = DurationText.parseMillis(text), ms > 0, text.allSatisfy({ $0.isNumber || $0 == "." }) else {
            throw UsageError("AWS_METADATA_SERVICE_TIMEOUT must be a number of seconds, not '\(text.quotable(limit: 40))'")
        }
        return ms
    }

    static func resolveAttempts(_ options: Options, _ env: EnvironmentLookup) throws(UsageError) -> Int {
        if let a = options.attempts { return a }
        guard let text = env["AWS_METADATA_SERVICE_NUM_ATTEMPTS"] else { return 3 }
        guard let n = Int(text), (1...20).contains(n) else {
            throw UsageError("AWS_METADATA_SERVICE_NUM_ATTEMPTS must be a whole number from 1 to 20, not '\(text.quotable(limit: 40))'")
        }
        return n
    }
}

/// How to reach IMDS.
public struct IMDSConfig: Equatable, Sendable {
    public var endpoint: HTTPURL
    /// `--allow-imdsv1` given.
    public var allowV1: Bool
    /// `AWS_EC2_METADATA_V1_DISABLED=true`: v1 refused even with the flag.
    public var v1Disabled: Bool
    public var role: String?
    public var timeoutMillis: Int64
    public var attempts: Int

    static let ipv4Endpoint = "http://169.254.169.254"
    static let ipv6Endpoint = "http://[fd00:ec2::254]"

    static func resolve(_ options: Options, _ env: EnvironmentLookup, timeoutMillis: Int64, attempts: Int) throws(UsageError) -> IMDSConfig {
        var endpointText: String
        var origin: String
        if let flag = options.imdsEndpoint {
            endpointText = flag; origin = "--imds-endpoint"
        } else if let variable = env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] {
            endpointText = variable; origin = "AWS_EC2_METADATA_SERVICE_ENDPOINT"
        } else if let mode = env["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"] {
            origin = "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"
            switch mode.lowercased() {
            case "ipv4": endpointText = ipv4Endpoint
            case "ipv6": endpointText = ipv6Endpoint
            default: throw UsageError("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE must be IPv4 or IPv6, not '\(mode.quotable(limit: 40))'")
            }
        } else {
            endpointText = ipv4Endpoint; origin = "default"
        }
        var endpoint: HTTPURL
        do { endpoint = try HTTPURL.parse(endpointText) } catch {
            throw UsageError("\(origin): \(error): '\(endpointText.quotable(limit: 80))'")
        }
        // The SDKs treat the endpoint as a base: a trailing path is dropped in favour of /latest/…
        endpoint.path = "/"
        let v1Disabled = try boolean(env, "AWS_EC2_METADATA_V1_DISABLED")
        var role = options.role
        if role == nil, let name = env["AWS_EC2_INSTANCE_PROFILE_NAME"] {
            guard Options.isValidRoleName(name) else {
                throw UsageError("AWS_EC2_INSTANCE_PROFILE_NAME: '\(name.quotable(limit: 64))' is not a valid role name")
            }
            role = name
        }
        return IMDSConfig(endpoint: endpoint, allowV1: options.allowIMDSv1, v1Disabled: v1Disabled, role: role,
                          timeoutMillis: timeoutMillis, attempts: attempts)
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

/// How to reach a container credential endpoint (ECS, CodeBuild, EKS Pod Identity).
public struct ContainerConfig: Equatable, Sendable {
    public enum Authorization: Equatable, Sendable {
        case none
        case token(Secret)
        /// Re-read on every fetch: the kubelet rotates it.
        case tokenFile(String)
    }
    public var url: HTTPURL
    public var authorization: Authorization
    public var timeoutMillis: Int64
    public var attempts: Int

    static let ecsHost = "169.254.170.2"
    static let allowedHosts: Set<String> = ["localhost", "169.254.170.2", "169.254.170.23", "fd00:ec2::23", "::1"]

    static func resolve(_ env: EnvironmentLookup, timeoutMillis: Int64, attempts: Int) throws(UsageError) -> ContainerConfig {
        let url: HTTPURL
        if let relative = env["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] {
            guard relative.hasPrefix("/") else {
                throw UsageError("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must start with /")
            }
            do { url = try HTTPURL.parse("http://\(ecsHost)\(relative)") } catch {
                throw UsageError("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: \(error)")
            }
        } else if let full = env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] {
            do { url = try HTTPURL.parse(full) } catch {
                throw UsageError("AWS_CONTAINER_CREDENTIALS_FULL_URI: \(error)")
            }
            guard isAllowedHost(url.host) else {
                throw UsageError("AWS_CONTAINER_CREDENTIALS_FULL_URI: host \(url.authorityHost) is not allowed over http (only loopback, localhost, 169.254.170.2, 169.254.170.23 and fd00:ec2::23)")
            }
        } else {
            throw UsageError("--source container needs AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or AWS_CONTAINER_CREDENTIALS_FULL_URI")
        }
        var authorization = Authorization.none
        if let file = env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] {
            authorization = .tokenFile(file)
        } else if let token = env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] {
            guard isValidToken(token) else {
                throw UsageError("AWS_CONTAINER_AUTHORIZATION_TOKEN contains a line break or control character")
            }
            authorization = .token(Secret(token))
        }
        return ContainerConfig(url: url, authorization: authorization, timeoutMillis: timeoutMillis, attempts: attempts)
    }

    /// Loopback addresses, `localhost` and the ECS/EKS link-local hosts (botocore's allow-list).
    public static func isAllowedHost(_ host: String) -> Bool {
        if allowedHosts.contains(host) { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { p in
            !p.isEmpty && p.count <= 3 && p.allSatisfy { $0.isASCII && $0.isNumber } && Int(p)! <= 255
        }
    }

    /// A header value must not carry CR, LF or other control characters (header injection).
    public static func isValidToken(_ token: String) -> Bool {
        !token.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }
}
