/// A value of the selected profile, with where it was read (for `--check`'s origins).
public struct ProfileValue: Equatable, Sendable, CustomStringConvertible {
    public var value: String
    /// The key as written in the file (lower-case).
    public var key: String
    public var profile: String
    /// The file it came from.
    public var path: String

    /// `profile dev in /home/u/.aws/config`
    public var origin: String { "profile \(profile) in \(path)" }
    public var description: String { "\(key) = \(value) (\(origin))" }
}

/// The settings a profile may give (spec §8), looked up by the SDKs' key names. Environment variables and
/// flags win over these; that precedence, and checking the values, is the settings resolver's job. Pure.
public struct ProfileSettings: Equatable, Sendable {
    /// The profile, nil when none applies (an absent `default`).
    public var profile: Profile?
    public var configPath: String
    public var credentialsPath: String

    public init(profile: Profile?, in set: ProfileSet) {
        self.profile = profile
        configPath = set.configPath
        credentialsPath = set.credentialsPath
    }

    /// The value of `key`, nil when absent or empty. Keys are matched exactly: the parser stores them
    /// lower-cased, as the SDKs do, so `Region = x` in a file is found as `region`.
    public subscript(key: String) -> ProfileValue? {
        guard let profile, let property = profile[key], !property.value.isEmpty else { return nil }
        return ProfileValue(value: property.value, key: key, profile: profile.name,
                            path: property.file == .config ? configPath : credentialsPath)
    }

    public var region: ProfileValue? { self["region"] }
    public var ec2MetadataServiceEndpoint: ProfileValue? { self["ec2_metadata_service_endpoint"] }
    public var ec2MetadataServiceEndpointMode: ProfileValue? { self["ec2_metadata_service_endpoint_mode"] }
    public var ec2MetadataV1Disabled: ProfileValue? { self["ec2_metadata_v1_disabled"] }
    public var metadataServiceTimeout: ProfileValue? { self["metadata_service_timeout"] }
    public var metadataServiceNumAttempts: ProfileValue? { self["metadata_service_num_attempts"] }
    public var caBundle: ProfileValue? { self["ca_bundle"] }
    public var endpointURL: ProfileValue? { self["endpoint_url"] }
    /// The `[services NAME]` section this profile uses.
    public var services: ProfileValue? { self["services"] }
}
