/// Where a setting's value came from, for `--check` and messages (spec §1: a flag beats an environment
/// variable, which beats the profile, which beats the default).
public enum SettingOrigin: Equatable, Sendable, CustomStringConvertible {
    case flag(String)
    case environment(String)
    /// A key of a profile of the shared files: the key, the profile and the file that set it.
    case profile(key: String, profile: String, file: String)
    /// Asked from the instance metadata service (the region, when nothing else gives one).
    case instanceMetadata(String)
    case defaultValue

    /// The origin of a value read from a profile.
    public static func profile(_ value: ProfileValue) -> SettingOrigin {
        .profile(key: value.key, profile: value.profile, file: value.path)
    }

    /// `--timeout`, `AWS_REGION`, `region of profile deploy in /home/u/.aws/config`, `default`: reads
    /// as the subject of a message (`… must be a number`) and after "from".
    public var description: String {
        switch self {
        case .flag(let name): return name
        case .environment(let name): return name
        case .profile(let key, let profile, let file): return "\(key) of profile \(profile) in \(file)"
        case .instanceMetadata(let path): return "IMDS \(path)"
        case .defaultValue: return "default"
        }
    }

    /// The kind of origin, as `--check --json` names it: `flag`, `environment`, `profile`, `imds`, `default`.
    public var kind: String {
        switch self {
        case .flag: return "flag"
        case .environment: return "environment"
        case .profile: return "profile"
        case .instanceMetadata: return "imds"
        case .defaultValue: return "default"
        }
    }
}
