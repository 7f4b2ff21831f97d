#if canImport(Glibc)
import Glibc
#endif

/// The parsed command line (spec §1). Parsing is pure: no environment, no I/O.
public struct Options: Equatable, Sendable {
    public enum Source: String, Sendable { case auto, imds, container }
    public enum OnRotate: Equatable, Sendable {
        case none, restart
        case signal(Int32)
    }

    public var source = Source.auto
    public var role: String?
    public var imdsEndpoint: String?
    public var allowIMDSv1 = false
    public var timeoutMillis: Int64?
    public var attempts: Int?
    public var noRegion = false
    public var onRotate = OnRotate.none
    public var refreshBeforeMillis: Int64 = 15 * 60_000
    public var stopSignal: Int32 = SIGTERM
    public var stopTimeoutMillis: Int64 = 10_000
    public var serve = false
    public var exec = false
    public var check = false
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
        func signal(_ name: String, _ text: String) throws(UsageError) -> Int32 {
            guard let sig = SignalName.parse(text), sig != SIGKILL, sig != SIGSTOP else {
                throw UsageError("\(name): '\(text.quotable(limit: 40))' is not a signal that can be sent (try HUP, SIGTERM or 15)")
            }
            return sig
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
            case "--serve": try flagOnly(name); o.serve = true
            case "--exec": try flagOnly(name); o.exec = true
            case "--check": try flagOnly(name); o.check = true
            case "--source":
                let v = try value(name, inline)
                guard let s = Source(rawValue: v) else { throw UsageError("--source must be auto, imds or container, not '\(v.quotable(limit: 40))'") }
                o.source = s
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
                    o.onRotate = .signal(try signal(name, String(v.dropFirst(7))))
                }
            case "--refresh-before":
                o.refreshBeforeMillis = try duration(name, try value(name, inline))
            case "--stop-signal":
                o.stopSignal = try signal(name, try value(name, inline))
            case "--stop-timeout":
                o.stopTimeoutMillis = try duration(name, try value(name, inline))
            default:
                throw UsageError("unknown option '\(arg.quotable(limit: 40))'")
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
        if !check && command.isEmpty { throw UsageError("no command given (usage: with-role-creds [OPTIONS] -- COMMAND [ARG...])") }
        if !check, command[0].isEmpty { throw UsageError("the command name is empty") }
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
