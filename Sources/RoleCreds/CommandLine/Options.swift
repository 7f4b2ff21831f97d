#if canImport(Glibc)
import Glibc
#endif

/// The parsed command line (spec §1). Parsing is pure: no environment, no I/O.
public struct Options: Equatable, Sendable {
    public enum Source: String, Sendable, CaseIterable {
        case auto
        case webIdentity = "web-identity"
        case container, imds
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
    /// `--json`: `--check` prints one JSON object (only with `--check`).
    public var json = false
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
        func value(_ name: String, _ inline: String?) throws(UsageError) -> String {
            if let inline { return inline }
            i += 1
            guard i < args.count else { throw UsageError("\(name) needs a value") }
            return args[i]
        }
        func duration(_ name: String, _ text: String) throws(UsageError) -> Int64 {
            guard let ms = DurationText.parseMillis(text) else {
                throw UsageError("\(name): '\(text.quotable(limit: 40))' is not a duration (try 90s, 15m, 1h30m)")
            }
            return ms
        }
        func signal(_ name: String, _ text: String, rotation: Bool = false) throws(UsageError) -> Int32 {
            guard let sig = SignalName.parse(text) else {
                throw UsageError("\(name): '\(text.quotable(limit: 40))' is not a signal that can be sent (try HUP, SIGTERM or 15)")
            }
            switch (sig, rotation) {
            case (SIGKILL, true), (SIGSTOP, true):
                throw UsageError("\(name): \(SignalName.name(sig)) is not allowed as a rotation signal (it cannot be caught; "
                                 + "use a signal COMMAND handles, such as HUP or USR1, or --on-rotate restart)")
            case (SIGKILL, false):
                throw UsageError("\(name): SIGKILL is not allowed as the stop signal (a stop already ends in SIGKILL after "
                                 + "--stop-timeout; use a signal COMMAND handles, such as TERM or INT)")
            case (SIGSTOP, false):
                throw UsageError("\(name): SIGSTOP is not allowed as the stop signal (it pauses COMMAND instead of ending it; "
                                 + "use TERM or INT)")
            default:
                return sig
            }
        }
        func roleArn(_ name: String, _ text: String) throws(UsageError) -> String {
            guard Self.isValidRoleArn(text) else {
                throw UsageError("\(name): '\(text.quotable(limit: 80))' is not a role ARN (arn:aws:iam::123456789012:role/NAME)")
            }
            return text
        }
        func path(_ name: String, _ text: String) throws(UsageError) -> String {
            guard !text.isEmpty else { throw UsageError("\(name) needs a file path, not an empty value") }
            return text
        }
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
            let flagOnly = { (flag: String) throws(UsageError) in
                if inline != nil { throw UsageError("\(flag) takes no value") }
            }
            switch name {
            case "-h", "--help": return .help
            case "--version": return .version
            case "-v", "--verbose": try flagOnly(name); o.logLevel = .verbose
            case "-q", "--quiet": try flagOnly(name); o.logLevel = .quiet
            case "--allow-imdsv1": try flagOnly(name); o.allowIMDSv1 = true
            case "--no-region": try flagOnly(name); o.noRegion = true
            case "--no-core-dumps": try flagOnly(name); o.noCoreDumps = true
            case "--serve": try flagOnly(name); o.serve = true
            case "--exec": try flagOnly(name); o.exec = true
            case "--check": try flagOnly(name); o.check = true
            case "--json": try flagOnly(name); o.json = true
            case "--source":
                let v = try value(name, inline)
                guard let s = Source(rawValue: v) else {
                    throw UsageError("--source must be auto, web-identity, container or imds, not '\(v.quotable(limit: 40))'")
                }
                o.source = s
            case "--profile":
                let v = try value(name, inline)
                guard Self.isValidProfileName(v) else {
                    throw UsageError("--profile: '\(v.quotable(limit: 64))' is not a profile name (empty, too long or with control characters)")
                }
                o.profile = v
            case "--role-arn":
                o.roleArn = try roleArn(name, try value(name, inline))
            case "--web-identity-token-file":
                o.webIdentityTokenFile = try path(name, try value(name, inline))
            case "--assume-role":
                o.assumeRoleArn = try roleArn(name, try value(name, inline))
            case "--role-session-name":
                let v = try value(name, inline)
                guard Self.isValidSessionName(v) else {
                    throw UsageError("--role-session-name: '\(v.quotable(limit: 64))' is not a session name "
                                     + "(2 to 64 letters, digits and _+=,.@-)")
                }
                o.roleSessionName = v
            case "--external-id":
                // Not echoed: an external id is shared with a third party and is best not shown in CI logs.
                let v = try value(name, inline)
                guard Self.isValidExternalId(v) else {
                    throw UsageError("--external-id must be 2 to 1224 letters, digits and _+=,.@:/-")
                }
                o.externalId = v
            case "--duration":
                let ms = try duration(name, try value(name, inline))
                guard ms % 1000 == 0, (900...43_200).contains(ms / 1000) else {
                    throw UsageError("--duration must be whole seconds from 15m to 12h (STS DurationSeconds), not \(DurationText.format(millis: ms))")
                }
                o.durationSeconds = Int(ms / 1000)
            case "--session-policy":
                o.sessionPolicyFile = try path(name, try value(name, inline))
            case "--role":
                let v = try value(name, inline)
                guard Self.isValidRoleName(v) else { throw UsageError("--role: '\(v.quotable(limit: 64))' is not a valid role name") }
                o.role = v
            case "--imds-endpoint":
                o.imdsEndpoint = try value(name, inline)
            case "--timeout":
                let ms = try duration(name, try value(name, inline))
                guard ms >= 1 else { throw UsageError("--timeout must be more than zero") }
                o.timeoutMillis = ms
            case "--attempts":
                let v = try value(name, inline)
                guard let n = Int(v), (1...20).contains(n) else { throw UsageError("--attempts must be a whole number from 1 to 20") }
                o.attempts = n
            case "--on-rotate":
                let v = try value(name, inline)
                switch v {
                case "none": o.onRotate = .none
                case "restart": o.onRotate = .restart
                case "signal": o.onRotate = .signal(SIGHUP)
                default:
                    guard v.hasPrefix("signal:") else {
                        throw UsageError("--on-rotate must be none, restart or signal[:SIG], not '\(v.quotable(limit: 40))'")
                    }
                    o.onRotate = .signal(try signal(name, String(v.dropFirst(7)), rotation: true))
                }
            case "--refresh-before":
                o.refreshBeforeMillis = try duration(name, try value(name, inline))
            case "--stop-signal":
                o.stopSignal = try signal(name, try value(name, inline))
            case "--stop-timeout":
                o.stopTimeoutMillis = try duration(name, try value(name, inline))
            default:
                // The name only: what follows `=` may be a value the user would rather not see in a log.
                let shown = name.quotable(limit: 40)
                if let near = Self.nearestOption(to: name) {
                    throw UsageError("unknown option \(shown) (did you mean \(near)?); see --help")
                }
                throw UsageError("unknown option \(shown); see --help")
            }
            i += 1
        }
        o.command = Array(args[i...])
        try o.validate()
        return .run(o)
    }

    /// The combinations the spec refuses.
    func validate() throws(UsageError) {
        if exec && onRotate != .none { throw UsageError("--exec cannot be combined with --on-rotate") }
        if exec && serve { throw UsageError("--exec cannot be combined with --serve") }
        if case .signal = onRotate, !serve {
            // A running process's environment never changes: without the endpoint a signal brings no new keys.
            throw UsageError("--on-rotate signal needs --serve (a running command's environment cannot change); "
                             + "use --on-rotate restart, or add --serve so the command can fetch the new keys")
        }
        if check && !command.isEmpty { throw UsageError("--check takes no command") }
        if json && !check { throw UsageError("--json only goes with --check") }
        if noCoreDumps && check { throw UsageError("--no-core-dumps applies to COMMAND; --check runs none") }
        if !check && command.isEmpty { throw UsageError("no command given (usage: with-role-creds [OPTIONS] -- COMMAND [ARG...])") }
        if !check, command[0].isEmpty { throw UsageError("the command name is empty") }
    }

    /// Every option name `parse` knows, in the order `--help` lists them.
    public static let names: [String] = [
        "--source", "--profile", "--role-arn", "--web-identity-token-file", "--assume-role", "--role-session-name",
        "--external-id", "--duration", "--session-policy",
        "--role", "--imds-endpoint", "--allow-imdsv1", "--timeout", "--attempts",
        "--no-region", "--no-core-dumps", "--on-rotate", "--refresh-before", "--stop-signal", "--stop-timeout", "--serve", "--exec",
        "--check", "--json", "-v", "--verbose", "-q", "--quiet", "--version", "-h", "--help",
    ]

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

    /// A role ARN as STS and IAM accept it: `arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME`, the partition
    /// `aws` or `aws-…`, a 12-digit account, a path of printable ASCII (at most 512), a valid role name.
    public static func isValidRoleArn(_ arn: String) -> Bool {
        guard arn.utf8.count <= 2048, arn.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return false }
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[2] == "iam", parts[3].isEmpty else { return false }
        let partition = parts[1]
        guard partition == "aws" || (partition.hasPrefix("aws-") && partition.count > 4 && partition.last != "-"
                                     && partition.allSatisfy({ ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "-" }))
        else { return false }
        guard parts[4].count == 12, parts[4].allSatisfy({ $0 >= "0" && $0 <= "9" }) else { return false }
        guard parts[5].hasPrefix("role/") else { return false }
        let resource = parts[5].dropFirst(5)
        let name = resource.split(separator: "/", omittingEmptySubsequences: false).last ?? ""
        let path = resource.dropLast(name.count)
        return path.count <= 512 && isValidRoleName(String(name))
    }

    /// STS `RoleSessionName`: 2…64 of letters, digits and `_+=,.@-`.
    public static func isValidSessionName(_ name: String) -> Bool {
        (2...64).contains(name.utf8.count) && name.utf8.allSatisfy { isWordByte($0) || "+=,.@-".utf8.contains($0) }
    }

    /// STS `ExternalId`: 2…1224 of letters, digits and `_+=,.@:/-`.
    public static func isValidExternalId(_ id: String) -> Bool {
        (2...1224).contains(id.utf8.count) && id.utf8.allSatisfy { isWordByte($0) || "+=,.@:/-".utf8.contains($0) }
    }

    /// A profile name: 1…256 characters, none of them a control or other non-printing character.
    public static func isValidProfileName(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.count <= 256 && !name.unicodeScalars.contains { $0.isNonPrinting }
    }

    /// `\w` in the AWS patterns: ASCII letters, digits and `_`.
    private static func isWordByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
    }

    /// IAM role names: letters, digits and `+=,.@_-`, 1…64 characters.
    public static func isValidRoleName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64 && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "+=,.@_-".contains($0)) }
    }
}

/// A command-line or configuration mistake: exit status 125.
public struct UsageError: Error, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
