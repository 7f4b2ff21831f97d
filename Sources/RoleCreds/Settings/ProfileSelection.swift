/// Which profile of the shared files applies (spec §1, §8): `--profile`, else `AWS_PROFILE`, else
/// `AWS_DEFAULT_PROFILE`, else `default`. Pure.
public struct ProfileSelection: Equatable, Sendable, CustomStringConvertible {
    /// Where the name came from; every origin but `.default` makes the profile mandatory.
    public enum Origin: String, Equatable, Sendable {
        case flag = "--profile"
        case awsProfile = "AWS_PROFILE"
        case awsDefaultProfile = "AWS_DEFAULT_PROFILE"
        case `default` = "default"
    }

    public var name: String
    public var origin: Origin

    public init(name: String, origin: Origin) {
        self.name = name
        self.origin = origin
    }

    /// Chooses the profile name. An empty variable counts as unset (`EnvironmentLookup`).
    public static func choose(flag: String?, environment env: EnvironmentLookup) -> ProfileSelection {
        if let flag { return ProfileSelection(name: flag, origin: .flag) }
        if let name = env["AWS_PROFILE"] { return ProfileSelection(name: name, origin: .awsProfile) }
        if let name = env["AWS_DEFAULT_PROFILE"] { return ProfileSelection(name: name, origin: .awsDefaultProfile) }
        return ProfileSelection(name: "default", origin: .default)
    }

    /// The selected profile, or nil when it is the implicit `default` and the files lack it. A profile
    /// named by the flag or a variable must exist (as botocore insists, even when it is `default`).
    public func profile(in set: ProfileSet) throws(SettingsError) -> Profile? {
        if let profile = set.profile(name) { return profile }
        guard origin == .default else {
            throw SettingsError(.missingProfile,
                                "profile '\(name.quotable(limit: 64))' (from \(origin.rawValue)) is not in \(set.filesDescription)")
        }
        return nil
    }

    public var description: String {
        origin == .default ? "profile \(name)" : "profile \(name) (from \(origin.rawValue))"
    }
}
