/// The base source a profile's plan names (spec §8), with the origin `--check` shows for it.
extension Settings {
    /// The source of `base`: as the profile gives it, or resolved from the environment for
    /// `credential_source` and Roles Anywhere (whose endpoint a variable may set).
    static func profileSource(_ base: ProfilePlan.Base, _ input: SettingsInput, limits: MetadataLimits) throws(UsageError) -> ResolvedSource {
        let origin = input.origin(base.originKey, of: base.profile)
        switch base {
        case .source(let source, _):
            return ResolvedSource(Setting(source, origin))
        case .rolesAnywhere(let name):
            let settings = try rolesAnywhere(input.profiles?.profile(name), flags: RolesAnywhereOptions(), roleArn: nil,
                                             sessionName: nil, environment: input.env, what: "profile '\(name)'")
            return ResolvedSource(Setting(.rolesAnywhere(settings), origin))
        case .credentialSource(.ec2InstanceMetadata, _):
            // The variable disables IMDS everywhere (botocore errors too); only an explicit endpoint wins.
            if input.options.imdsEndpoint == nil, input.env["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true" {
                throw UsageError("\(origin) is Ec2InstanceMetadata, but IMDS is disabled by AWS_EC2_METADATA_DISABLED=true")
            }
            return try imds(input, origin, limits: limits)
        case .credentialSource(.ecsContainer, _):
            return try container(input, origin, limits: limits)
        case .credentialSource(.environment, _):
            return ResolvedSource(Setting(.staticKeys(try environmentKeys(input.env, profile: input.selection.name)), origin))
        }
    }

    /// `credential_source = Environment`: the keys of the environment, checked like any answer's
    /// (`CredentialText`) and named by variable, never shown: a control character in `AWS_SESSION_TOKEN`
    /// would otherwise split the STS request.
    static func environmentKeys(_ env: EnvironmentLookup, profile: String) throws(UsageError) -> StaticKeys {
        guard let id = env["AWS_ACCESS_KEY_ID"], let secret = env["AWS_SECRET_ACCESS_KEY"] else {
            throw UsageError("credential_source = Environment needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
        }
        let token = env["AWS_SESSION_TOKEN"]
        for (name, problem) in [("AWS_ACCESS_KEY_ID", CredentialText.keyIdProblem(id)),
                                ("AWS_SECRET_ACCESS_KEY", CredentialText.secretProblem(secret)),
                                ("AWS_SESSION_TOKEN", token.flatMap(CredentialText.secretProblem))] {
            if let problem { throw UsageError("\(name) \(problem)") }
        }
        return StaticKeys(accessKeyId: id, secretAccessKey: Secret(secret), sessionToken: token.map(Secret.init), profile: profile)
    }
}
