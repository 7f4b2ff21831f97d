/// IAM Roles Anywhere from the flags and a profile's `roles_anywhere_*` keys (spec §9), read by one
/// function for `--source roles-anywhere` and for a profile whose plan names it.
extension Settings {
    /// `--source roles-anywhere`: each value from its flag, else the selected profile's `roles_anywhere_*` key
    /// (the role: `--role-arn`, `AWS_ROLE_ARN`, then `roles_anywhere_role_arn`).
    static func resolveRolesAnywhere(_ input: SettingsInput) throws(UsageError) -> RolesAnywhereSettings {
        let options = input.options
        return try rolesAnywhere(input.profile, flags: options.rolesAnywhere, roleArn: options.roleArn ?? input.env["AWS_ROLE_ARN"],
                                 sessionName: options.roleSessionName ?? input.env["AWS_ROLE_SESSION_NAME"],
                                 environment: input.env, what: "--source roles-anywhere")
    }

    /// Each value from `flags` (the role from `roleArn`), else `profile`'s key; checked and the endpoint
    /// resolved by `RolesAnywhereSettings.make`. `what` names the values' origin in messages.
    static func rolesAnywhere(_ profile: Profile?, flags: RolesAnywhereOptions, roleArn: String?, sessionName: String?,
                              environment: EnvironmentLookup, what: String) throws(UsageError) -> RolesAnywhereSettings {
        func need(_ value: String?, _ flag: String, _ key: String) throws(UsageError) -> String {
            guard let value = value ?? profile?.value(key) else {
                throw UsageError("--source roles-anywhere needs \(flag) (or the profile's \(key))")
            }
            return value
        }
        var duration = flags.sessionDurationSeconds
        if duration == nil, let profile, let text = profile.value("roles_anywhere_session_duration") {
            duration = try rolesAnywhereDuration(text, profile: profile.name)
        }
        return try RolesAnywhereSettings.make(
            certificate: try need(flags.certificate, "--certificate", "roles_anywhere_certificate"),
            privateKey: try need(flags.privateKey, "--private-key", "roles_anywhere_private_key"),
            intermediates: flags.intermediates ?? profile?.value("roles_anywhere_intermediates"),
            trustAnchorArn: try need(flags.trustAnchorArn, "--trust-anchor-arn", "roles_anywhere_trust_anchor_arn"),
            profileArn: try need(flags.profileArn, "--profile-arn", "roles_anywhere_profile_arn"),
            roleArn: try need(roleArn, "--role-arn", "roles_anywhere_role_arn"),
            durationSeconds: duration, sessionName: sessionName, environment: environment, what: what)
    }

    /// A profile's `roles_anywhere_session_duration`: whole seconds STS accepts.
    static func rolesAnywhereDuration(_ text: String, profile: String) throws(UsageError) -> Int {
        try IAMValues.durationSeconds(text, from: "roles_anywhere_session_duration of profile \(profile)")
    }
}
