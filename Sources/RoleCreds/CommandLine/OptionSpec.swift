/// One option of the command line (spec §1): its names, its value, its help, the environment variables and
/// profile key that share its setting, and where its value goes. `OptionTable.all` lists them; parsing,
/// `--help`, the did-you-mean list, the man page and the shell completions are all made from that list.
public struct OptionSpec: Sendable {
    /// The sections of `--help` and of the man page, in order.
    public enum Group: String, Sendable, CaseIterable {
        case credentials = "Credentials"
        case rolesAnywhere = "IAM Roles Anywhere (--source roles-anywhere)"
        case instanceMetadata = "Instance metadata"
        case command = "COMMAND"
        case agent = "Agent (credentials kept in memory for later launches)"
        case other = "Other"
    }

    /// What the option does when it is given.
    public enum Kind: Sendable {
        /// Takes no value.
        case flag(@Sendable (inout Options) -> Void)
        /// Takes one value (`--name VALUE` or `--name=VALUE`); the closure checks and stores it, and gets
        /// the name as typed for its messages.
        case value(@Sendable (inout Options, _ name: String, _ value: String) throws(UsageError) -> Void)
        /// `--help`: print the help and stop.
        case help
        /// `--version`: print the version and stop.
        case version
    }

    /// Every spelling, short first (`-v`, `--verbose`).
    public let names: [String]
    /// The value's placeholder in help (`DURATION`); nil for an option without a value.
    public let placeholder: String?
    /// One or more sentences, wrapped by the help and man page generators.
    public let help: String
    public let group: Group
    /// Environment variables that give the same setting (the flag wins).
    public let environment: [String]
    /// The shared config file's key that gives the same setting (spec §8).
    public let profileKey: String?
    /// The default, as help shows it.
    public let defaultValue: String?
    /// The values a shell may complete (`--source`'s sources); empty: free text or a file.
    public let choices: [String]
    /// Whether the value is a file path (shells complete file names).
    public let takesFile: Bool
    public let kind: Kind

    public init(_ names: [String], _ placeholder: String? = nil, group: Group, help: String,
                environment: [String] = [], profileKey: String? = nil, defaultValue: String? = nil,
                choices: [String] = [], takesFile: Bool = false, kind: Kind) {
        self.names = names; self.placeholder = placeholder; self.help = help; self.group = group
        self.environment = environment; self.profileKey = profileKey; self.defaultValue = defaultValue
        self.choices = choices; self.takesFile = takesFile; self.kind = kind
    }

    /// The sentence help shows: the description, then the default and the variables that share the setting.
    public var fullHelp: String {
        var text = help
        var extras: [String] = []
        if let defaultValue { extras.append("default \(defaultValue)") }
        if !environment.isEmpty { extras.append("or " + environment.joined(separator: ", ")) }
        if !extras.isEmpty { text += " (" + extras.joined(separator: "; ") + ")" }
        return text
    }

    /// `--timeout DURATION`, `-v, --verbose`: the option as help lists it.
    public var synopsis: String {
        names.joined(separator: ", ") + (placeholder.map { " " + $0 } ?? "")
    }
}
