/// The IMDS endpoint, resolved as the SDKs resolve it (spec §2, §8; `imds-endpoint-tests.json`). Pure.
///
/// An endpoint anywhere beats a mode anywhere: `--imds-endpoint`, then `AWS_EC2_METADATA_SERVICE_ENDPOINT`,
/// then the profile's `ec2_metadata_service_endpoint`; else the mode — an explicit override, then
/// `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE`, then the profile's `ec2_metadata_service_endpoint_mode` —
/// `IPv4` (the default) or `IPv6`, in any case. Only the value that wins is checked, as in the SDKs.
public enum IMDSEndpoint {
    public static let ipv4 = "http://169.254.169.254"
    public static let ipv6 = "http://[fd00:ec2::254]"

    /// The endpoint (a base URL; requests append `/latest/...`).
    public static func resolve(envEndpoint: String?, envMode: String?, profileEndpoint: String?, profileMode: String?,
                               flag: String? = nil, modeOverride: String? = nil) throws(UsageError) -> String {
        try resolveWithOrigin(envEndpoint: envEndpoint, envMode: envMode, profileEndpoint: profileEndpoint,
                              profileMode: profileMode, flag: flag, modeOverride: modeOverride).url
    }

    /// The endpoint and what chose it: a flag, a variable, a profile key (`profile:KEY`) or `default`.
    public static func resolveWithOrigin(envEndpoint: String?, envMode: String?, profileEndpoint: String?, profileMode: String?,
                                         flag: String? = nil, modeOverride: String? = nil) throws(UsageError) -> (url: String, origin: String) {
        let endpoints = [(flag, "--imds-endpoint"), (envEndpoint, "AWS_EC2_METADATA_SERVICE_ENDPOINT"),
                         (profileEndpoint, "profile:ec2_metadata_service_endpoint")]
        if let (text, origin) = endpoints.first(where: { $0.0 != nil }), let text {
            do { _ = try HTTPURL.parse(text) } catch {
                throw UsageError("\(label(origin)): \(error): '\(text.quotable(limit: 80))'")
            }
            return (text, origin)
        }
        let modes = [(modeOverride, "mode override"), (envMode, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"),
                     (profileMode, "profile:ec2_metadata_service_endpoint_mode")]
        guard let (mode, origin) = modes.first(where: { $0.0 != nil }), let mode else { return (ipv4, "default") }
        switch mode.lowercased() {
        case "ipv4": return (ipv4, origin)
        case "ipv6": return (ipv6, origin)
        default:
            // The Rust SDK's wording, so its test data's expectation reads the same here.
            throw UsageError("\(label(origin)): `\(mode.quotable(limit: 40))` is not a valid endpoint mode (IPv4 or IPv6)")
        }
    }

    private static func label(_ origin: String) -> String {
        origin.hasPrefix("profile:") ? "the profile's \(origin.dropFirst(8))" : origin
    }
}
