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
    /// The link-local addresses of the ECS and EKS Pod Identity agents (botocore's allow-list).
    static let agentAddresses = ["169.254.170.2", "169.254.170.23", "fd00:ec2::23"].map { IPAddress($0)! }

    /// Resolves the endpoint from the environment (spec §2). Every value is checked here, before any
    /// connection: a relative URI is plain http to the ECS agent, an http full URI must name an allowed
    /// host, an https full URI may name any host (its certificate is verified when connecting).
    public static func resolve(_ env: EnvironmentLookup, timeoutMillis: Int64, attempts: Int) throws(UsageError) -> ContainerConfig {
        let url: HTTPURL
        if let relative = env["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] {
            guard relative.hasPrefix("/") else {
                throw UsageError("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must start with /")
            }
            do { url = try HTTPURL.parse("http://\(ecsHost)\(relative)") } catch {
                throw UsageError("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: \(error)")
            }
        } else if let full = env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] {
            do { url = try HTTPURL.parse(full, allowingHTTPS: true) } catch {
                throw UsageError("AWS_CONTAINER_CREDENTIALS_FULL_URI: \(error)")
            }
            // https may name any host: the certificate is verified (spec §2, as in §7).
            guard url.scheme == .https || isAllowedHost(url.host) else {
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

    /// Whether an http full URI may name `host`: an address (as `inet_pton` reads it) that is loopback
    /// or an agent's, or `localhost`, whose addresses are checked when connecting (`isAllowedAddress`).
    /// Other names are refused without asking a resolver, as botocore does: `127.0.0.1.nip.io` would
    /// resolve to loopback only until someone changes its records. Whatever is no valid address is
    /// never read as one (`0x7f000001`, `127.1`, `127.0.0.08`).
    public static func isAllowedHost(_ host: String) -> Bool {
        if let address = IPAddress(host) { return isAllowedAddress(address) }
        return host == "localhost"
    }

    /// Loopback or one of the agents' link-local addresses.
    public static func isAllowedAddress(_ address: IPAddress) -> Bool {
        address.isLoopback || agentAddresses.contains(address.unmapped)
    }

    /// A header value must not carry CR, LF or other control characters (header injection).
    public static func isValidToken(_ token: String) -> Bool {
        !token.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }
}
