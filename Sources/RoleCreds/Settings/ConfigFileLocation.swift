/// Where the shared config and credentials files are (spec §8; `file-location-tests.json`). Pure: a
/// function of environment values. `nil` when the path would need a home directory and `HOME` is unset.
public struct ConfigFileLocation: Equatable, Sendable {
    /// `AWS_CONFIG_FILE`, else `~/.aws/config`.
    public var configPath: String?
    /// `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`.
    public var credentialsPath: String?

    public init(configPath: String?, credentialsPath: String?) {
        self.configPath = configPath
        self.credentialsPath = credentialsPath
    }

    /// The largest file read: a config file is a few KiB; anything near this is not one.
    public static let sizeLimit = 1024 * 1024

    /// Resolves both paths. On Linux the SDKs take the home directory from `HOME` only (not
    /// `USERPROFILE`/`HOMEDRIVE`, which are Windows'), and expand `~` only as a whole first component
    /// (`~/x`, not `~user/x`). An explicit path whose `~` cannot be expanded is kept as written.
    public static func resolve(environment env: EnvironmentLookup) -> ConfigFileLocation {
        let home = env["HOME"]
        return ConfigFileLocation(
            configPath: path(env["AWS_CONFIG_FILE"], default: "~/.aws/config", home: home),
            credentialsPath: path(env["AWS_SHARED_CREDENTIALS_FILE"], default: "~/.aws/credentials", home: home))
    }

    static func path(_ explicit: String?, default fallback: String, home: String?) -> String? {
        let path = explicit ?? fallback
        guard path == "~" || path.hasPrefix("~/") else { return path }
        guard let home else { return explicit }
        let base = home.hasSuffix("/") && home.utf8.count > 1 ? String(home.dropLast()) : home
        return base + String(path.dropFirst())   // String + String: no generic append at run time
    }
}

extension ConfigFileLocation {
    /// Reads and parses both files. An absent file (or an unknown home directory) is an empty one, and so
    /// is a path that is not a regular file (`/dev/null`, the usual way to keep `~/.aws` out of a CI job:
    /// botocore skips any such path), with a note for `-v` in `notices`. One that cannot be read or
    /// exceeds `limit` is an error naming it.
    public func load(limit: Int = ConfigFileLocation.sizeLimit) throws(SettingsError) -> ProfileSet {
        var notices: [String] = []
        let config = try Self.read(configPath, what: "config file", limit: limit, notices: &notices)
        let credentials = try Self.read(credentialsPath, what: "credentials file", limit: limit, notices: &notices)
        var set = try ConfigFile.parse(configText: config, credentialsText: credentials,
                                       configPath: configPath?.quotable(limit: 200) ?? "~/.aws/config (HOME is not set)",
                                       credentialsPath: credentialsPath?.quotable(limit: 200) ?? "~/.aws/credentials (HOME is not set)")
        set.notices = notices
        return set
    }

    static func read(_ path: String?, what: String, limit: Int, notices: inout [String]) throws(SettingsError) -> String? {
        guard let path else { return nil }
        do {
            guard let bytes = try readSmallFile(path, limit: limit) else { return nil }
            // Invalid UTF-8 becomes U+FFFD, as the SDKs read these files lossily.
            return String(decoding: bytes, as: UTF8.self)
        } catch .notRegularFile {
            notices.append("the \(what) \(path.quotable(limit: 200)) is not a regular file; read as empty")
            return nil
        } catch {
            // A path from a variable could hold a line break; messages stay on one line.
            throw SettingsError(.unreadable, "cannot read the \(what) \(path.quotable(limit: 200)): \(error)")
        }
    }
}
