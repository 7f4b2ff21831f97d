/// The roles to assume after the base credentials (spec §7, §8): the profile's chain, then `--assume-role`.
extension Settings {
    /// The profile's hops (when the profile names the source), then `--assume-role`; `--external-id` and
    /// `--duration` without `--assume-role` apply to the profile's last role. At most
    /// `IAMValues.maxChainHops` in all.
    static func roleChain(_ input: SettingsInput) throws(UsageError) -> [AssumeRoleSettings] {
        let options = input.options
        var hops: [AssumeRoleSettings] = []
        if options.source == .auto, case .chain(_, let planned) = input.plan { hops = planned }
        if let arn = options.assumeRoleArn {
            hops.append(AssumeRoleSettings(roleArn: arn, sessionName: try sessionName(options, input.env),
                                           externalId: options.externalId, durationSeconds: options.durationSeconds,
                                           origin: .flag("--assume-role")))
        } else if options.externalId != nil || options.durationSeconds != nil || options.sessionPolicyFile != nil {
            guard !hops.isEmpty else {
                throw UsageError("--external-id, --duration and --session-policy need a role to assume (--assume-role ARN or a profile's role_arn)")
            }
            hops[hops.count - 1].externalId = options.externalId ?? hops[hops.count - 1].externalId
            hops[hops.count - 1].durationSeconds = options.durationSeconds ?? hops[hops.count - 1].durationSeconds
        }
        guard hops.count <= IAMValues.maxChainHops else {
            throw UsageError("the role chain has \(hops.count) roles to assume (the profile's and --assume-role); at most \(IAMValues.maxChainHops) are allowed")
        }
        return hops
    }
}
