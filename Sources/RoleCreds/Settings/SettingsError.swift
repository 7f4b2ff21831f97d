/// A mistake in the shared config or credentials file, or in the profile chosen from them: one line for
/// people that names the file and the profile, and never a value that could be a secret.
public typealias SettingsError = LayerError<SettingsErrorCode>

/// What kind of mistake a `SettingsError` is.
public enum SettingsErrorCode: Hashable, Sendable {
    /// The file is not in the SDKs' format (line number given).
    case syntax
    /// The file exists but cannot be read, is not a regular file, or is too large.
    case unreadable
    /// A profile named by `--profile`, a variable or `source_profile` is not in the files.
    case missingProfile
    /// `source_profile` leads back to a profile already on the path.
    case cycle
    /// SSO, `credential_process`, console login: the SDKs support it, this tool does not.
    case unsupported
    /// A profile whose keys do not make sense together, or a bad value.
    case invalid
}
