/// Where a web identity token comes from (spec §7).
public enum WebIdentityToken: Equatable, Sendable {
    /// A file, re-read on every fetch; the path is not a secret, the token in it is.
    case file(String)
    /// The GitHub Actions job's OIDC token service, asked with the job's bearer token.
    case github(url: HTTPURL, requestToken: Secret)
}

/// Web identity: a role and a token, from the flags, the environment or a profile's `role_arn` with
/// `web_identity_token_file`, exchanged by `WebIdentityProvider` (`AssumeRoleWithWebIdentity`).
public struct WebIdentitySettings: Equatable, Sendable {
    public var roleArn: String
    public var token: WebIdentityToken
    /// `RoleSessionName`; nil: the tool's default name.
    public var sessionName: String?
}
