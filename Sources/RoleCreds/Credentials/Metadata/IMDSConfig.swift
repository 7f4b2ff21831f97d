/// How to reach IMDS.
public struct IMDSConfig: Equatable, Sendable {
    public var endpoint: HTTPURL
    /// `--allow-imdsv1` given.
    public var allowV1: Bool
    /// `AWS_EC2_METADATA_V1_DISABLED=true`: v1 refused even with the flag.
    public var v1Disabled: Bool
    /// `--role` or `AWS_EC2_INSTANCE_PROFILE_NAME`; nil: discovered.
    public var role: String?
    public var timeoutMillis: Int64
    public var attempts: Int

    public init(endpoint: HTTPURL, allowV1: Bool = false, v1Disabled: Bool = false, role: String? = nil,
                timeoutMillis: Int64 = 1000, attempts: Int = 3) {
        self.endpoint = endpoint; self.allowV1 = allowV1; self.v1Disabled = v1Disabled; self.role = role
        self.timeoutMillis = timeoutMillis; self.attempts = attempts
    }

    static let ipv4Endpoint = "http://169.254.169.254"
    static let ipv6Endpoint = "http://[fd00:ec2::254]"
}
