/// Web identity from the flags and the environment (spec §7).
extension Settings {
    /// Web identity settings from the flags and the environment, nil when none are present. A token
    /// without a role ARN is an error, never a reason to fall back to IMDS (on EKS that is the node's
    /// role). A role ARN alone is not web identity.
    static func resolveWebIdentity(_ options: Options, _ env: EnvironmentLookup) throws(UsageError) -> WebIdentitySettings? {
        let roleArn = options.roleArn ?? env["AWS_ROLE_ARN"]
        var token: WebIdentityToken?
        if let file = options.webIdentityTokenFile ?? env["AWS_WEB_IDENTITY_TOKEN_FILE"] {
            token = .file(file)
        } else if let url = env["ACTIONS_ID_TOKEN_REQUEST_URL"], let requestToken = env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"], roleArn != nil {
            do { token = .github(url: try HTTPURL.parse(url, allowingHTTPS: true), requestToken: Secret(requestToken)) } catch {
                throw UsageError("ACTIONS_ID_TOKEN_REQUEST_URL: \(error)")
            }
        }
        guard let token else { return nil }
        guard let roleArn else {
            throw UsageError("a web identity token is set (AWS_WEB_IDENTITY_TOKEN_FILE or --web-identity-token-file) but no role ARN (AWS_ROLE_ARN or --role-arn); not falling back to another source")
        }
        if options.roleArn == nil { try IAMValues.checkRoleArn(roleArn, from: "AWS_ROLE_ARN") }
        return WebIdentitySettings(roleArn: roleArn, token: token, sessionName: try sessionName(options, env))
    }

    /// `--role-session-name`, else `AWS_ROLE_SESSION_NAME` (checked here, before anything is fetched).
    static func sessionName(_ options: Options, _ env: EnvironmentLookup) throws(UsageError) -> String? {
        if let flag = options.roleSessionName { return flag }
        guard let name = env["AWS_ROLE_SESSION_NAME"] else { return nil }
        try IAMValues.checkSessionName(name, from: "AWS_ROLE_SESSION_NAME")
        return name
    }

    /// What chose web identity when nothing named a source: the token's own setting (the flag, the
    /// variable, or the GitHub Actions job's token service).
    static func webIdentityOrigin(_ settings: WebIdentitySettings, _ options: Options) -> SettingOrigin {
        switch settings.token {
        case .github: return .environment("ACTIONS_ID_TOKEN_REQUEST_URL")
        case .file: return options.webIdentityTokenFile != nil ? .flag("--web-identity-token-file") : .environment("AWS_WEB_IDENTITY_TOKEN_FILE")
        }
    }
}
