/// Builds the child's environment (spec §3) as a pure function of the inherited environment, the
/// credentials and the options. The launcher's own environment is never modified.
public enum ChildEnvironment {
    /// What the child is given instead of inherited credentials.
    public enum Supply: Sendable {
        /// Static keys in the environment.
        case keys(Credentials)
        /// A local credential endpoint (`--serve`): URL and token, no static keys.
        case endpoint(url: String, token: Secret, accountId: String?)
    }

    /// Variables removed so nothing outranks or confuses what is injected.
    static let removed: Set<String> = [
        "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN", "AWS_CREDENTIAL_EXPIRATION", "AWS_ACCOUNT_ID", "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME",
    ]
    static let removedPrefix = "AWS_CONTAINER_"

    /// The child's `envp`: the inherited entries minus the removed ones and duplicates (the first
    /// entry of a name wins, as with `getenv`), then the injected variables.
    /// `region` is what the source found; it is used only when neither region variable is set.
    public static func build(inherited: [String], supply: Supply, region: String?, setRegion: Bool) -> [String] {
        var seen = Set<String>()
        var result: [String] = []
        var awsRegion: String?
        var defaultRegion: String?
        for entry in inherited {
            guard let eq = entry.firstIndex(of: "="), eq != entry.startIndex else { continue }
            let name = String(entry[..<eq])
            guard seen.insert(name).inserted else { continue }
            if removed.contains(name) || name.hasPrefix(removedPrefix) { continue }
            let value = String(entry[entry.index(after: eq)...])
            if setRegion && (name == "AWS_REGION" || name == "AWS_DEFAULT_REGION") {
                // Empty values count as unset and are replaced below.
                if value.isEmpty { continue }
                if name == "AWS_REGION" { awsRegion = value } else { defaultRegion = value }
            }
            result.append(entry)
        }
        switch supply {
        case .keys(let c):
            result.append("AWS_ACCESS_KEY_ID=\(c.accessKeyId)")
            result.append("AWS_SECRET_ACCESS_KEY=\(c.secretAccessKey.reveal())")
            result.append("AWS_SESSION_TOKEN=\(c.sessionToken.reveal())")
            result.append("AWS_SECURITY_TOKEN=\(c.sessionToken.reveal())")
            result.append("AWS_CREDENTIAL_EXPIRATION=\(Timestamp.format(c.expiration))")
            if let account = c.accountId { result.append("AWS_ACCOUNT_ID=\(account)") }
        case .endpoint(let url, let token, let accountId):
            result.append("AWS_CONTAINER_CREDENTIALS_FULL_URI=\(url)")
            result.append("AWS_CONTAINER_AUTHORIZATION_TOKEN=\(token.reveal())")
            if let accountId { result.append("AWS_ACCOUNT_ID=\(accountId)") }
        }
        if setRegion {
            switch (awsRegion, defaultRegion) {
            case (nil, nil):
                if let region {
                    result.append("AWS_REGION=\(region)")
                    result.append("AWS_DEFAULT_REGION=\(region)")
                }
            case (let r?, nil): result.append("AWS_DEFAULT_REGION=\(r)")
            case (nil, let d?): result.append("AWS_REGION=\(d)")
            case (_?, _?): break
            }
        }
        return result
    }
}
