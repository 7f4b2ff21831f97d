/// What `--check` prints (spec §1): every fact about the credentials except a secret, the profile in use
/// and where each setting came from.
public struct CheckReport: Sendable {
    /// The profile of the shared files in use.
    public struct Profile: Equatable, Sendable {
        public var name: String
        /// `--profile`, `AWS_PROFILE`, `AWS_DEFAULT_PROFILE` or `default`.
        public var selectedBy: String
        /// The files with a section for it (config first).
        public var files: [String]
    }

    /// One setting, its value as used (never a secret) and where it came from.
    public struct Entry: Equatable, Sendable {
        public var name: String
        public var value: String
        public var origin: SettingOrigin
    }

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
    /// nil: no profile applies (none named, and the files have no `default`).
    public var profile: Profile?
    /// Each setting with where it came from.
    public var settings: [Entry]
    /// The agent asked, when one was (spec §10).
    public var agent: Agent?

    /// How the agent served a `--check`.
    public struct Agent: Equatable, Sendable {
        public var socket: String
        /// Unix ms when the agent fetched; nil: it did not answer and the launch fetched by itself.
        public var fetchedAt: Int64?
        public var cached: Bool

        /// `/run/user/1000/with-role-creds/agent.42.sock (cached, fetched 12m ago)`, `(fetched now)`.
        func text(nowMillis: Int64) -> String {
            guard let fetchedAt else { return "\(socket.quotable(limit: 200)) (not answering: fetched without it)" }
            let age = DurationText.format(millis: max(1000, nowMillis - fetchedAt) / 1000 * 1000)
            return "\(socket.quotable(limit: 200)) (" + (cached ? "cached, fetched \(age) ago)" : "fetched now)")
        }
    }

    /// Advice when IMDSv1 still answers: it is the door SSRF attacks on metadata credentials use.
    static let v1Advice = "the instance still answers IMDSv1 without a token, the door SSRF attacks on metadata credentials use; "
        + "require tokens: aws ec2 modify-instance-metadata-options --instance-id ID --http-tokens required"

    /// The text form: one fact a line.
    public func text(now: Int64) -> String {
        var lines = ["source: \(source) (\(chain.first?.target ?? ""))"]
        if chain.count > 1 { lines.append("chain: " + chain.map(\.description).joined(separator: " -> ")) }
        if let profile {
            let from = profile.selectedBy == "default" ? "" : " (from \(profile.selectedBy))"
            lines.append("profile: \(profile.name.quotable(limit: 64))\(from) in \(profile.files.joined(separator: " and "))")
        } else {
            lines.append("profile: none")
        }
        if let role { lines.append("role: \(role.quotable(limit: 128))") }
        if let roleArn { lines.append("role arn: \(roleArn.quotable(limit: 2048))") }
        if let accountId { lines.append("account: \(accountId)") }
        lines.append("access key id: \(accessKeyId)")
        let remaining = expiration - now
        lines.append("expires: \(Timestamp.format(expiration)) " + (remaining > 0
            ? "(in \(DurationText.format(millis: remaining * 1000)))" : "(expired; IMDS keeps serving them while it cannot refresh)"))
        lines.append("region: \(region.map { "\($0.value.quotable(limit: 64)) (from \($0.origin))" } ?? "(not set)")")
        if let agent { lines.append("agent: " + agent.text(nowMillis: now * 1000)) }
        if let imdsV1 {
            lines.append(imdsV1 ? "imdsv1: enabled — \(Self.v1Advice)" : "imdsv1: disabled (tokens required)")
        }
        for entry in settings {
            lines.append("setting \(entry.name) = \(entry.value.quotable(limit: 200)) (from \(entry.origin))")
        }
        return lines.joined(separator: "\n")
    }

    /// The `--json` form: one object with the fields of spec §1, then `profile` and `settings`.
    public func json() -> String {
        func string(_ s: String?) -> String { s.map(JSON.quote) ?? "null" }
        func object(_ fields: [(String, String)]) -> String {
            "{" + fields.map { "\(JSON.quote($0.0)):\($0.1)" }.joined(separator: ",") + "}"
        }
        let chainText = "[" + chain.map { object([("name", JSON.quote($0.name)), ("target", JSON.quote($0.target))]) }.joined(separator: ",") + "]"
        let profileText = profile.map {
            object([("name", JSON.quote($0.name)), ("selectedBy", JSON.quote($0.selectedBy)),
                    ("files", "[" + $0.files.map(JSON.quote).joined(separator: ",") + "]")])
        } ?? "null"
        let settingsText = "[" + settings.map { entry in
            object([("name", JSON.quote(entry.name)), ("value", JSON.quote(entry.value))] + Self.originFields(entry.origin))
        }.joined(separator: ",") + "]"
        return object([
            ("source", string(source)),
            ("role", string(role)),
            ("roleArn", string(roleArn)),
            ("accountId", string(accountId)),
            ("accessKeyId", string(accessKeyId)),
            ("expiration", string(Timestamp.format(expiration))),
            ("region", string(region?.value)),
            ("imdsV1", string(imdsV1.map { $0 ? "enabled" : "disabled" })),
            ("chain", chainText),
            ("profile", profileText),
            ("settings", settingsText),
        ] + (agent.map { a in
            [("agent", object([("socket", JSON.quote(a.socket)), ("cached", a.cached ? "true" : "false"),
                               ("fetchedAt", a.fetchedAt.map { JSON.quote(Timestamp.format($0 / 1000)) } ?? "null")]))]
        } ?? []))
    }

    /// An origin as JSON members: `origin` (its kind), what names it, and `from` (the text form).
    static func originFields(_ origin: SettingOrigin) -> [(String, String)] {
        var fields = [("origin", JSON.quote(origin.kind))]
        switch origin {
        case .flag(let name): fields.append(("flag", JSON.quote(name)))
        case .environment(let name): fields.append(("variable", JSON.quote(name)))
        case .profile(let key, let profile, let file):
            fields += [("key", JSON.quote(key)), ("profile", JSON.quote(profile)), ("file", JSON.quote(file))]
        case .instanceMetadata(let path): fields.append(("path", JSON.quote(path)))
        case .defaultValue: break
        }
        return fields + [("from", JSON.quote(origin.description))]
    }
}
