/// What `Settings.resolve` reads, layer by layer: the flags, the environment, and the shared files with
/// the profile selected from them and the plan that profile makes (spec §8). Pure.
struct SettingsInput {
    let options: Options
    let env: EnvironmentLookup
    let profiles: ProfileSet?
    let selection: ProfileSelection
    /// The selected profile; nil without shared files, or when it is an absent `default`.
    let profile: Profile?
    /// What the profile asks for; `.none` when it does not apply (no profile, or the implicit
    /// `default`'s static keys alone, `ProfilePlan.Base.isUsedAlone`).
    let plan: ProfilePlan
    /// The selected profile's settings; nil without shared files.
    let profileSettings: ProfileSettings?

    /// Selects the profile and plans its chain; a mistake in the files is one line.
    init(_ options: Options, environment env: EnvironmentLookup, profiles: ProfileSet?) throws(UsageError) {
        self.options = options
        self.env = env
        self.profiles = profiles
        selection = ProfileSelection.choose(flag: options.profile, environment: env)
        var profile: Profile?
        var plan = ProfilePlan.none
        if let profiles {
            do {
                profile = try selection.profile(in: profiles)
                if profile != nil { plan = try ProfilePlan.resolve(profiles, profile: selection.name) }
                if case .chain(let base, let hops) = plan, hops.isEmpty,
                   !base.isUsedAlone(selectedBy: selection.origin, imdsEndpointFlag: options.imdsEndpoint != nil) { plan = .none }
            } catch { throw UsageError(error.description, underlying: error) }
        }
        self.profile = profile
        self.plan = plan
        profileSettings = profiles.map { ProfileSettings(profile: profile, in: $0) }
    }

    /// The origin of `key` of profile `name` (a chain reads keys of several profiles).
    func origin(_ key: String, of name: String) -> SettingOrigin {
        guard let profiles, let value = ProfileSettings(profile: profiles.profile(name), in: profiles)[key] else {
            return .profile(key: key, profile: name, file: profiles?.filesDescription ?? "the shared files")
        }
        return .profile(value)
    }
}
