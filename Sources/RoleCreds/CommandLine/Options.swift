#if canImport(Glibc)
import Glibc
#endif

/// The parsed command line (spec §1). Parsing is pure: no environment, no I/O.
public struct Options: Equatable, Sendable {
    public enum Source: String, Sendable, CaseIterable {
        case auto
        case webIdentity = "web-identity"
        case container, imds
        case rolesAnywhere = "roles-anywhere"
    }
    public enum OnRotate: Equatable, Sendable {
        case none, restart
        case signal(Int32)
    }

    public var source = Source.auto
    /// `--profile`: the shared config file's profile (spec §8); nil means AWS_PROFILE, … , `default`.
    public var profile: String?
    /// `--role-arn`: the web identity role (spec §7); a valid role ARN.
    public var roleArn: String?
    /// IAM Roles Anywhere (`--source roles-anywhere`, spec §9): PEM files and ARNs, checked by `Settings`.
    public var rolesAnywhere = RolesAnywhereOptions()
    /// `--web-identity-token-file`: path of the web identity token, read later (re-read on every refresh).
    public var webIdentityTokenFile: String?
    /// `--assume-role`: the role to assume with the base credentials (spec §7); a valid role ARN.
    public var assumeRoleArn: String?
    /// `--role-session-name`: STS `RoleSessionName`, 2–64 of `[\w+=,.@-]`.
    public var roleSessionName: String?
    /// `--external-id`: STS `ExternalId`, 2–1224 of `[\w+=,.@:/-]`.
    public var externalId: String?
    /// `--duration`: STS `DurationSeconds`, 900…43200.
    public var durationSeconds: Int?
    /// `--session-policy`: path of a JSON session policy; the file is read and checked later.
    public var sessionPolicyFile: String?
    public var role: String?
    public var imdsEndpoint: String?
    public var allowIMDSv1 = false
    public var timeoutMillis: Int64?
    public var attempts: Int?
    public var noRegion = false
    /// `--no-core-dumps`: COMMAND starts with `RLIMIT_CORE` 0, soft and hard (default: inherited).
    public var noCoreDumps = false
    public var onRotate = OnRotate.none
    public var refreshBeforeMillis: Int64 = 15 * 60_000
    public var stopSignal: Int32 = SIGTERM
    public var stopTimeoutMillis: Int64 = 10_000
    public var serve = false
    public var exec = false
    public var check = false
    /// `--json`: `--check` prints one JSON object, `--agent` its socket and pid as one (only with these).
    public var json = false
    /// `--agent`: start the credential agent (spec §10) and print its variables.
    public var agent = false
    /// `--agent-stop`: stop the agent named by `WITH_ROLE_CREDS_AGENT`.
    public var agentStop = false
    /// `--agent-idle`: the agent ends after this long without a request.
    public var agentIdleMillis: Int64 = 3_600_000
    /// `--no-agent`: fetch without asking the agent, whatever `WITH_ROLE_CREDS_AGENT` says.
    public var noAgent = false
    public var logLevel = Log.Level.normal
    public var command: [String] = []

    public init() {}

    /// What the command line asks for.
    public enum Action: Equatable, Sendable {
        case run(Options)
        case help
        case version
    }

    /// Parses the arguments after the program name. Options stop at `--` or at the first word that is
    /// not an option; `--name=value` and `--name value` are both accepted.
    public static func parse(_ args: [String]) throws(UsageError) -> Action {
        var o = Options()
        var i = 0
        while i < args.count {
            let arg = args[i]
            if arg == "--" { i += 1; break }
            guard arg.hasPrefix("-"), arg != "-" else { break }
            var name = arg
            var inline: String?
            if arg.hasPrefix("--"), let eq = arg.firstIndex(of: "=") {
                name = String(arg[..<eq])
                inline = String(arg[arg.index(after: eq)...])
            }
            guard let spec = OptionTable.spec(named: name) else { throw unknownOption(name) }
            switch spec.kind {
            case .help: return .help
            case .version: return .version
            case .flag(let set):
                if inline != nil { throw UsageError("\(name) takes no value") }
                set(&o)
            case .value(let store):
                if inline == nil {
                    i += 1
                    guard i < args.count else { throw UsageError("\(name) needs a value") }
                }
                try store(&o, name, inline ?? args[i])
            }
            i += 1
        }
        o.command = Array(args[i...])
        try o.validate()
        return .run(o)
    }

    /// The error for an option no entry has: the name only (what follows `=` may be a value the user would
    /// rather not see in a log), with the nearest real option when there is one.
    static func unknownOption(_ name: String) -> UsageError {
        let shown = name.quotable(limit: 40)
        if let near = nearestOption(to: name) { return UsageError("unknown option \(shown) (did you mean \(near)?); see --help") }
        return UsageError("unknown option \(shown); see --help")
    }

    /// The combinations the spec refuses.
    func validate() throws(UsageError) {
        if agent || agentStop { return try validateAgent() }
        if agentIdleMillis != Options().agentIdleMillis { throw UsageError("--agent-idle only goes with --agent") }
        if exec && onRotate != .none { throw UsageError("--exec cannot be combined with --on-rotate") }
        if exec && serve { throw UsageError("--exec cannot be combined with --serve") }
        if case .signal = onRotate, !serve {
            // A running process's environment never changes: without the endpoint a signal brings no new keys.
            throw UsageError("--on-rotate signal needs --serve (a running command's environment cannot change); "
                             + "use --on-rotate restart, or add --serve so the command can fetch the new keys")
        }
        if check && !command.isEmpty { throw UsageError("--check takes no command") }
        if json && !check { throw UsageError("--json only goes with --check or --agent") }
        if noCoreDumps && check { throw UsageError("--no-core-dumps applies to COMMAND; --check runs none") }
        if !check && command.isEmpty { throw UsageError("no command given (usage: with-role-creds [OPTIONS] -- COMMAND [ARG...])") }
        if !check, command[0].isEmpty { throw UsageError("the command name is empty") }
    }

    /// `--agent` and `--agent-stop` take only the options about the agent itself: every launch brings
    /// its own settings to the agent, so a source option here would be silently meaningless.
    func validateAgent() throws(UsageError) {
        if agent && agentStop { throw UsageError("--agent and --agent-stop cannot be combined") }
        var rest = self
        rest.agent = false; rest.agentStop = false; rest.logLevel = .normal
        if agent { rest.json = false; rest.agentIdleMillis = Options().agentIdleMillis }
        guard rest == Options() else {
            throw UsageError(agent
                ? "--agent takes only --agent-idle, --json, -v and -q (each launch brings its own settings to the agent)"
                : "--agent-stop takes only -v and -q")
        }
    }

    /// Every option name `parse` knows, in the order `--help` lists them.
    public static var names: [String] { OptionTable.names }

    /// The real option nearest to a mistyped `name`, by edit distance (optimal string alignment, so a
    /// swapped pair of letters counts once; case ignored), or nil when none is near enough to be the one
    /// meant: up to 1 edit for names of 3–5 letters, 2 up to 9, 3 beyond; a one- or two-letter name only
    /// when it differs in case. Failing that, the one option that `name` starts (`--allow` →
    /// `--allow-imdsv1`) or extends with a dash (`--assume-role-arn` → `--assume-role`).
    public static func nearestOption(to name: String) -> String? {
        let typed = Array(name.drop { $0 == "-" }.lowercased().unicodeScalars)
        guard !typed.isEmpty, typed.count <= 64 else { return nil }
        let allowed = typed.count < 3 ? 0 : typed.count <= 5 ? 1 : typed.count <= 9 ? 2 : 3
        var best: (name: String, distance: Int)?
        for candidate in names {
            let d = editDistance(typed, Array(candidate.drop { $0 == "-" }.unicodeScalars))
            if d <= allowed, d < (best?.distance ?? .max) { best = (candidate, d) }
        }
        if let best { return best.name }
        guard typed.count >= 3 else { return nil }
        let text = String(String.UnicodeScalarView(typed))
        let started = names.filter { $0.drop { $0 == "-" }.hasPrefix(text) }
        if started.count == 1 { return started[0] }
        return names.filter { text.hasPrefix($0.drop { $0 == "-" } + "-") }.max { $0.count < $1.count }
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps.
    static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var before = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = Swift.min(current[j], before[j - 2] + 1)
                }
            }
            (before, previous, current) = (previous, current, before)
        }
        return previous[b.count]
    }

    /// A profile name: 1…256 characters, none of them a control or other non-printing character.
    public static func isValidProfileName(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.count <= 256 && !name.unicodeScalars.contains { $0.isNonPrinting }
    }
}

/// A command-line or configuration mistake: exit status 125.
public struct UsageError: Error, Equatable, CustomStringConvertible {
    public let description: String
    /// The lower layer's error this one was made from (a `SettingsError` of the shared files), if any.
    public let underlying: (any Error)?
    public init(_ description: String, underlying: (any Error)? = nil) { self.description = description; self.underlying = underlying }
    /// The same mistake when the sentence is: the underlying error explains, it does not identify.
    public static func == (a: UsageError, b: UsageError) -> Bool { a.description == b.description }
}

/// The IAM Roles Anywhere options, named as aws/rolesanywhere-credential-helper names them.
public struct RolesAnywhereOptions: Equatable, Sendable {
    public var certificate: String?
    public var privateKey: String?
    public var intermediates: String?
    public var trustAnchorArn: String?
    public var profileArn: String?
    /// `--session-duration`: CreateSession's `durationSeconds`.
    public var sessionDurationSeconds: Int?
    public init() {}
    /// Whether any of them was given.
    public var isEmpty: Bool { self == RolesAnywhereOptions() }
}
