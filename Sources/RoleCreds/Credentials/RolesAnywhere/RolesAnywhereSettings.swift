/// What an IAM Roles Anywhere source needs (spec §9), checked before any call: the inputs of
/// aws/rolesanywhere-credential-helper, so its users can switch. Pure.
public struct RolesAnywhereSettings: Equatable, Sendable {
    /// PEM files: the end-entity certificate, its private key, and optional intermediates.
    public var certificate: String
    public var privateKey: String
    public var intermediates: String?
    public var trustAnchorArn: String
    public var profileArn: String
    public var roleArn: String
    /// `durationSeconds` of `CreateSession`: 900 to 43200, default 3600 (the helper's default).
    public var durationSeconds: Int
    public var sessionName: String?
    /// The trust anchor's region: the endpoint's and the signature's.
    public var region: String
    public var endpoint: STSEndpoint

    /// What `CreateSession` accepts for `durationSeconds`.
    public static var durationRange: ClosedRange<Int> { IAMValues.durationRange }
    public static let defaultDuration = 3600

    /// Checks the ARNs (trust anchor and profile in one region, as the helper requires) and resolves
    /// the endpoint: `AWS_ENDPOINT_URL_ROLESANYWHERE`, else `AWS_ENDPOINT_URL` (neither with
    /// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`), else `https://rolesanywhere.REGION.amazonaws.com`.
    /// `what` names where the values came from (`--trust-anchor-arn`, `profile ra`) for messages.
    public static func make(certificate: String, privateKey: String, intermediates: String?, trustAnchorArn: String,
                            profileArn: String, roleArn: String, durationSeconds: Int?, sessionName: String?,
                            environment: EnvironmentLookup, what: String) throws(UsageError) -> RolesAnywhereSettings {
        let anchor = try arnParts(trustAnchorArn, service: "rolesanywhere", resource: "trust-anchor/", name: "trust anchor ARN", what: what)
        let profile = try arnParts(profileArn, service: "rolesanywhere", resource: "profile/", name: "profile ARN", what: what)
        _ = try arnParts(roleArn, service: "iam", resource: "role/", name: "role ARN", what: what)
        guard anchor.region == profile.region else {
            throw UsageError("\(what): the trust anchor (\(anchor.region)) and the profile (\(profile.region)) are in different regions")
        }
        try STSEndpoint.validateRegion(anchor.region)
        let duration = durationSeconds ?? defaultDuration
        guard durationRange.contains(duration) else {
            throw UsageError("\(what): the session duration must be from 900 to 43200 seconds, not \(duration)")
        }
        return RolesAnywhereSettings(certificate: certificate, privateKey: privateKey, intermediates: intermediates,
                                     trustAnchorArn: trustAnchorArn, profileArn: profileArn, roleArn: roleArn,
                                     durationSeconds: duration, sessionName: sessionName, region: anchor.region,
                                     endpoint: try endpoint(environment: environment, region: anchor.region))
    }

    static func endpoint(environment: EnvironmentLookup, region: String) throws(UsageError) -> STSEndpoint {
        if !(try STSEndpoint.flag(environment, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) {
            for name in ["AWS_ENDPOINT_URL_ROLESANYWHERE", "AWS_ENDPOINT_URL"] {
                if let text = environment[name], !text.isEmpty {
                    return try STSEndpoint.parse(text, origin: name, signingRegion: region)
                }
            }
        }
        return STSEndpoint(scheme: "https", host: "rolesanywhere.\(region).\(STSEndpoint.dnsSuffix(region: region))", port: 443,
                           path: "/", signingRegion: region, origin: "region \(region) of the trust anchor")
    }

    /// `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE…`, the service and resource kind as expected.
    static func arnParts(_ arn: String, service: String, resource: String, name: String, what: String) throws(UsageError) -> (region: String, account: String) {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", !parts[1].isEmpty, parts[2] == service,
              parts[4].count == 12, parts[4].allSatisfy({ $0.isASCII && $0.isNumber }),
              parts[5].hasPrefix(resource), parts[5].count > resource.count, arn.count <= 2048,
              arn.allSatisfy({ $0.isASCII && $0 > " " && $0 != "\u{7F}" }),
              service == "iam" ? parts[3].isEmpty : !parts[3].isEmpty else {
            let example = service == "iam" ? "arn:aws:iam::ACCOUNT:role/NAME" : "arn:aws:rolesanywhere:REGION:ACCOUNT:\(resource)ID"
            throw UsageError("\(what): the \(name) '\(arn.quotable(limit: 100))' is not one (\(example))")
        }
        return (String(parts[3]), String(parts[4]))
    }
}
