/// What `--check` prints (spec §1): every fact about the credentials except a secret.
public struct CheckReport: Sendable {
    public var source: String
    public var chain: [ProviderHop]
    public var role: String?
    public var roleArn: String?
    public var accountId: String?
    /// Already masked.
    public var accessKeyId: String
    public var expiration: Int64
    public var region: Setting<String>?
    /// IMDS only: whether the instance still answers IMDSv1; nil when unknown or not IMDS.
    public var imdsV1: Bool?
    /// `--check -v`: each setting with where it came from.
    public var origins: [(name: String, value: String, origin: SettingOrigin)]

    /// Advice when IMDSv1 still answers: it is the door SSRF attacks on metadata credentials use.
    static let v1Advice = "the instance still answers IMDSv1 without a token, the door SSRF attacks on metadata credentials use; "
        + "require tokens: aws ec2 modify-instance-metadata-options --instance-id ID --http-tokens required"

    /// The text form: one fact a line.
    public func text(now: Int64, verbose: Bool) -> String {
        var lines = ["source: \(source) (\(chain.first?.target ?? ""))"]
        if chain.count > 1 { lines.append("chain: " + chain.map(\.description).joined(separator: " -> ")) }
        if let role { lines.append("role: \(role.quotable(limit: 128))") }
        if let roleArn { lines.append("role arn: \(roleArn.quotable(limit: 2048))") }
        if let accountId { lines.append("account: \(accountId)") }
        lines.append("access key id: \(accessKeyId)")
        let remaining = expiration - now
        lines.append("expires: \(Timestamp.format(expiration)) " + (remaining > 0
            ? "(in \(DurationText.format(millis: remaining * 1000)))" : "(expired; IMDS keeps serving them while it cannot refresh)"))
        lines.append("region: \(region.map { "\($0.value.quotable(limit: 64)) (from \($0.origin))" } ?? "(not set)")")
        if let imdsV1 {
            lines.append(imdsV1 ? "imdsv1: enabled — \(Self.v1Advice)" : "imdsv1: disabled (tokens required)")
        }
        if verbose {
            for o in origins { lines.append("setting \(o.name) = \(o.value.quotable(limit: 200)) (from \(o.origin))") }
        }
        return lines.joined(separator: "\n")
    }

    /// The `--json` form: one object with the fields of spec §1.
    public func json() -> String {
        func string(_ s: String?) -> String { s.map(JSON.quote) ?? "null" }
        let chainText = "[" + chain.map { "{\"name\":\(JSON.quote($0.name)),\"target\":\(JSON.quote($0.target))}" }.joined(separator: ",") + "]"
        let fields: [(String, String)] = [
            ("source", string(source)),
            ("role", string(role)),
            ("roleArn", string(roleArn)),
            ("accountId", string(accountId)),
            ("accessKeyId", string(accessKeyId)),
            ("expiration", string(Timestamp.format(expiration))),
            ("region", string(region?.value)),
            ("imdsV1", string(imdsV1.map { $0 ? "enabled" : "disabled" })),
            ("chain", chainText),
        ]
        return "{" + fields.map { "\(JSON.quote($0.0)):\($0.1)" }.joined(separator: ",") + "}"
    }
}
