/// Which of the two shared files a value was read from.
public enum ConfigFileKind: String, Equatable, Sendable {
    /// `AWS_CONFIG_FILE`, `~/.aws/config`: sections `[default]`, `[profile NAME]`, `[sso-session NAME]`, `[services NAME]`.
    case config
    /// `AWS_SHARED_CREDENTIALS_FILE`, `~/.aws/credentials`: sections `[NAME]` only.
    case credentials
}

/// One `key = value` of a section. A key whose value is empty on its own line may carry indented
/// sub-properties (`s3 =` then ` max_concurrent_requests = 20`); the value then holds them as the SDKs
/// do, each line after a newline.
public struct ProfileProperty: Equatable, Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Lower-cased, as the SDKs' parsers store keys.
    public let name: String
    public internal(set) var value: String
    /// The file that set this value last.
    public let file: ConfigFileKind

    public init(name: String, value: String, file: ConfigFileKind) {
        self.name = name; self.value = value; self.file = file
    }

    /// Keys whose values must never print (spec §6): long-term secrets and the command that makes them.
    static let sensitiveKeys: Set<String> = ["aws_secret_access_key", "aws_session_token", "aws_security_token", "credential_process"]

    /// The `name = value` lines of the value, for a property written with sub-properties.
    public var subProperties: [(name: String, value: String)] {
        value.split(separator: "\n").compactMap { line in
            guard let eq = line.firstIndex(of: "=") else { return nil }
            return (trimmingBlanks(line[..<eq]), trimmingBlanks(line[line.index(after: eq)...]))
        }
    }

    var shownValue: String {
        if Self.sensitiveKeys.contains(name) { return "<redacted>" }
        return name == "aws_access_key_id" ? Credentials.mask(value) : value
    }
    public var description: String { "\(name) = \(shownValue)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(self, children: ["name": name, "value": shownValue, "file": file], displayStyle: .struct)
    }
}

/// A section of the shared files: a profile, an `[sso-session]` or a `[services]` block. Properties keep
/// the order in which they first appeared; a repeated key keeps its place and takes the last value.
public struct Profile: Equatable, Sendable {
    public let name: String
    public private(set) var properties: [ProfileProperty] = []
    private var index: [String: Int] = [:]

    public init(name: String) { self.name = name }

    /// The property `key` (lower-case, as stored), or nil.
    public subscript(key: String) -> ProfileProperty? {
        index[key].map { properties[$0] }
    }

    /// The value of `key`, nil when absent or empty (an empty value counts as unset, as for variables).
    public func value(_ key: String) -> String? {
        guard let value = self[key]?.value, !value.isEmpty else { return nil }
        return value
    }

    /// Sets a property; a key already present keeps its place.
    mutating func set(_ property: ProfileProperty) {
        if let i = index[property.name] {
            properties[i] = property
        } else {
            index[property.name] = properties.count
            properties.append(property)
        }
    }
}

/// Everything read from the config and credentials files, merged the way the SDKs merge them.
public struct ProfileSet: Equatable, Sendable {
    /// Profiles in the order they first appeared (config file first).
    public private(set) var profiles: [Profile] = []
    /// `[sso-session NAME]` sections of the config file (parsed; this tool does not use them).
    public private(set) var ssoSessions: [Profile] = []
    /// Other `[PREFIX NAME]` sections of the config file, such as `[services NAME]`, by prefix.
    public private(set) var otherSections: [String: [Profile]] = [:]
    /// How the config file is named in messages (its path once loaded).
    public var configPath: String
    /// How the credentials file is named in messages.
    public var credentialsPath: String
    /// What loading the files noted for `-v` (a path that is not a regular file, read as empty).
    public var notices: [String] = []

    private var index: [String: Int] = [:]
    /// Which files each profile has a section in, in the order read (config first).
    private var sectionFiles: [String: [ConfigFileKind]] = [:]

    public init(configPath: String = "the config file", credentialsPath: String = "the credentials file") {
        self.configPath = configPath
        self.credentialsPath = credentialsPath
    }

    /// The profile `name` (case-sensitive), or nil.
    public func profile(_ name: String) -> Profile? {
        index[name].map { profiles[$0] }
    }

    /// The paths of the files that have a section for profile `name` (config first); empty when none.
    public func files(ofProfile name: String) -> [String] {
        (sectionFiles[name] ?? []).map { $0 == .config ? configPath : credentialsPath }
    }

    /// Both files, for messages about a profile that is in neither.
    public var filesDescription: String { "\(configPath) or \(credentialsPath)" }

    /// Adds the properties of a section of file `kind` to profile `name`, creating it if new.
    mutating func mergeProfile(_ name: String, _ properties: [ProfileProperty], from kind: ConfigFileKind) {
        if !(sectionFiles[name]?.contains(kind) ?? false) { sectionFiles[name, default: []].append(kind) }
        let i: Int
        if let existing = index[name] {
            i = existing
        } else {
            i = profiles.count
            index[name] = i
            profiles.append(Profile(name: name))
        }
        for property in properties { profiles[i].set(property) }
    }

    mutating func mergeSSOSession(_ name: String, _ properties: [ProfileProperty]) {
        Self.merge(into: &ssoSessions, name, properties)
    }

    mutating func mergeOther(prefix: String, _ name: String, _ properties: [ProfileProperty]) {
        Self.merge(into: &otherSections[prefix, default: []], name, properties)
    }

    private static func merge(into sections: inout [Profile], _ name: String, _ properties: [ProfileProperty]) {
        let i: Int
        if let existing = sections.firstIndex(where: { $0.name == name }) {
            i = existing
        } else {
            i = sections.count
            sections.append(Profile(name: name))
        }
        for property in properties { sections[i].set(property) }
    }
}

/// Space and tab only: the SDKs' profile parsers are strict about what counts as a blank.
func isBlank(_ scalar: Unicode.Scalar) -> Bool { scalar == " " || scalar == "\t" }

/// `text` without leading and trailing spaces and tabs.
func trimmingBlanks<S: StringProtocol>(_ text: S) -> String {
    let scalars = text.unicodeScalars
    guard let first = scalars.firstIndex(where: { !isBlank($0) }) else { return "" }
    let last = scalars.lastIndex(where: { !isBlank($0) })!
    var out = String.UnicodeScalarView()
    out.append(contentsOf: scalars[first...last])
    return String(out)
}
