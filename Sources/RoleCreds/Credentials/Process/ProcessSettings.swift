/// A `credential_process` of a profile (spec §9), run by `ProcessProvider`.
public struct ProcessSettings: Equatable, Sendable, CustomStringConvertible {
    /// The command line as written; never shown (an argument may be a secret).
    public var commandLine: String
    public var profile: String
    public var description: String { "credential_process (profile \(profile))" }
}
