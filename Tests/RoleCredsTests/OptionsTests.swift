import Testing
@testable import RoleCreds
#if canImport(Glibc)
import Glibc
#endif

/// The options a run would have: defaults plus `edit`, with `command`.
private func options(_ command: [String] = ["cmd"], _ edit: (inout Options) -> Void = { _ in }) -> Options {
    var o = Options()
    o.command = command
    edit(&o)
    return o
}

struct ParseCase: Sendable, CustomTestStringConvertible {
    let args: [String]
    let expected: Options.Action
    init(_ args: [String], _ expected: Options) { self.args = args; self.expected = .run(expected) }
    init(_ args: [String], action: Options.Action) { self.args = args; self.expected = action }
    var testDescription: String { args.map { "'\($0)'" }.joined(separator: " ") }
}

struct UsageCase: Sendable, CustomTestStringConvertible {
    let args: [String]
    let fragment: String
    init(_ args: [String], _ fragment: String) { self.args = args; self.fragment = fragment }
    var testDescription: String { args.map { "'\($0)'" }.joined(separator: " ") }
}

@Suite("Options.parse")
struct OptionsTests {
    static let valid: [ParseCase] = [
        ParseCase(["cmd"], options()),
        ParseCase(["cmd", "a", "b"], options(["cmd", "a", "b"])),
        ParseCase(["--", "cmd", "a"], options(["cmd", "a"])),
        // --source, both spellings
        ParseCase(["--source", "imds", "cmd"], options { $0.source = .imds }),
        ParseCase(["--source=container", "cmd"], options { $0.source = .container }),
        ParseCase(["--source=auto", "cmd"], options { $0.source = .auto }),
        // --role
        ParseCase(["--role", "web-server", "cmd"], options { $0.role = "web-server" }),
        ParseCase(["--role=a+b=c,d.e@f_g-h", "cmd"], options { $0.role = "a+b=c,d.e@f_g-h" }),
        ParseCase(["--role", String(repeating: "r", count: 64), "cmd"], options { $0.role = String(repeating: "r", count: 64) }),
        // --imds-endpoint: only the first '=' splits
        ParseCase(["--imds-endpoint", "http://[::1]:1338", "cmd"], options { $0.imdsEndpoint = "http://[::1]:1338" }),
        ParseCase(["--imds-endpoint=http://h/?a=b", "cmd"], options { $0.imdsEndpoint = "http://h/?a=b" }),
        ParseCase(["--allow-imdsv1", "cmd"], options { $0.allowIMDSv1 = true }),
        // --timeout
        ParseCase(["--timeout", "2s", "cmd"], options { $0.timeoutMillis = 2000 }),
        ParseCase(["--timeout=500ms", "cmd"], options { $0.timeoutMillis = 500 }),
        ParseCase(["--timeout", "1.5", "cmd"], options { $0.timeoutMillis = 1500 }),
        // --attempts
        ParseCase(["--attempts", "1", "cmd"], options { $0.attempts = 1 }),
        ParseCase(["--attempts=20", "cmd"], options { $0.attempts = 20 }),
        ParseCase(["--no-region", "cmd"], options { $0.noRegion = true }),
        ParseCase(["--no-core-dumps", "cmd"], options { $0.noCoreDumps = true }),
        ParseCase(["--no-core-dumps", "--exec", "cmd"], options { $0.noCoreDumps = true; $0.exec = true }),
        // --on-rotate
        ParseCase(["--on-rotate", "none", "cmd"], options { $0.onRotate = .none }),
        ParseCase(["--on-rotate", "restart", "cmd"], options { $0.onRotate = .restart }),
        ParseCase(["--serve", "--on-rotate", "signal", "cmd"], options { $0.serve = true; $0.onRotate = .signal(SIGHUP) }),
        ParseCase(["--serve", "--on-rotate=signal:USR1", "cmd"], options { $0.serve = true; $0.onRotate = .signal(SIGUSR1) }),
        ParseCase(["--serve", "--on-rotate", "signal:SIGTERM", "cmd"], options { $0.serve = true; $0.onRotate = .signal(SIGTERM) }),
        ParseCase(["--serve", "--on-rotate", "signal:10", "cmd"], options { $0.serve = true; $0.onRotate = .signal(10) }),
        ParseCase(["--on-rotate=signal:winch", "--serve", "cmd"], options { $0.serve = true; $0.onRotate = .signal(SIGWINCH) }),
        // --refresh-before
        ParseCase(["--refresh-before", "1h30m", "cmd"], options { $0.refreshBeforeMillis = 5_400_000 }),
        ParseCase(["--refresh-before=90", "cmd"], options { $0.refreshBeforeMillis = 90_000 }),
        ParseCase(["--refresh-before", "0", "cmd"], options { $0.refreshBeforeMillis = 0 }),
        // --stop-signal
        ParseCase(["--stop-signal", "INT", "cmd"], options { $0.stopSignal = SIGINT }),
        ParseCase(["--stop-signal=SIGQUIT", "cmd"], options { $0.stopSignal = SIGQUIT }),
        ParseCase(["--stop-signal", "1", "cmd"], options { $0.stopSignal = SIGHUP }),
        ParseCase(["--stop-signal", "hup", "cmd"], options { $0.stopSignal = SIGHUP }),
        // --stop-timeout
        ParseCase(["--stop-timeout", "2m", "cmd"], options { $0.stopTimeoutMillis = 120_000 }),
        ParseCase(["--stop-timeout=250ms", "cmd"], options { $0.stopTimeoutMillis = 250 }),
        // flags
        ParseCase(["--serve", "cmd"], options { $0.serve = true }),
        ParseCase(["--exec", "cmd"], options { $0.exec = true }),
        ParseCase(["--exec", "--on-rotate", "none", "cmd"], options { $0.exec = true }),
        ParseCase(["--check"], options([]) { $0.check = true }),
        ParseCase(["--check", "--source", "container"], options([]) { $0.check = true; $0.source = .container }),
        ParseCase(["-v", "cmd"], options { $0.logLevel = .verbose }),
        ParseCase(["--verbose", "cmd"], options { $0.logLevel = .verbose }),
        ParseCase(["-q", "cmd"], options { $0.logLevel = .quiet }),
        ParseCase(["--quiet", "cmd"], options { $0.logLevel = .quiet }),
        ParseCase(["-v", "-q", "cmd"], options { $0.logLevel = .quiet }),
        // options stop at `--` or the first word that is not an option
        ParseCase(["cmd", "--role", "x"], options(["cmd", "--role", "x"])),
        ParseCase(["--", "--role", "x"], options(["--role", "x"])),
        ParseCase(["--no-region", "--", "--", "x"], options(["--", "x"]) { $0.noRegion = true }),
        ParseCase(["-", "x"], options(["-", "x"])),
        ParseCase(["cmd", "--help"], options(["cmd", "--help"])),
        ParseCase(["--", "--bogus"], options(["--bogus"])),
        ParseCase(["sh", "-c", "exit 3"], options(["sh", "-c", "exit 3"])),
        // --source web-identity and the STS options (spec §1, §7)
        ParseCase(["--source", "web-identity", "cmd"], options { $0.source = .webIdentity }),
        ParseCase(["--profile", "dev", "cmd"], options { $0.profile = "dev" }),
        ParseCase(["--profile=my profile", "cmd"], options { $0.profile = "my profile" }),
        ParseCase(["--role-arn", "arn:aws:iam::123456789012:role/ci", "cmd"], options { $0.roleArn = "arn:aws:iam::123456789012:role/ci" }),
        ParseCase(["--role-arn=arn:aws-us-gov:iam::123456789012:role/team/ci/deploy", "cmd"],
                  options { $0.roleArn = "arn:aws-us-gov:iam::123456789012:role/team/ci/deploy" }),
        ParseCase(["--web-identity-token-file", "/var/run/secrets/token", "cmd"], options { $0.webIdentityTokenFile = "/var/run/secrets/token" }),
        ParseCase(["--assume-role", "arn:aws-cn:iam::000000000000:role/a+b=c,d.e@f_g-h", "cmd"],
                  options { $0.assumeRoleArn = "arn:aws-cn:iam::000000000000:role/a+b=c,d.e@f_g-h" }),
        ParseCase(["--role-session-name", "ci-job_42@example.com", "cmd"], options { $0.roleSessionName = "ci-job_42@example.com" }),
        ParseCase(["--role-session-name=ab", "cmd"], options { $0.roleSessionName = "ab" }),
        ParseCase(["--role-session-name", String(repeating: "s", count: 64), "cmd"], options { $0.roleSessionName = String(repeating: "s", count: 64) }),
        ParseCase(["--external-id", "urn:partner:a/b=c", "cmd"], options { $0.externalId = "urn:partner:a/b=c" }),
        ParseCase(["--external-id", String(repeating: "e", count: 1224), "cmd"], options { $0.externalId = String(repeating: "e", count: 1224) }),
        ParseCase(["--duration", "15m", "cmd"], options { $0.durationSeconds = 900 }),
        ParseCase(["--duration=12h", "cmd"], options { $0.durationSeconds = 43_200 }),
        ParseCase(["--duration", "3600", "cmd"], options { $0.durationSeconds = 3600 }),
        ParseCase(["--duration", "1h30m", "cmd"], options { $0.durationSeconds = 5400 }),
        ParseCase(["--session-policy", "read-only.json", "cmd"], options { $0.sessionPolicyFile = "read-only.json" }),
        ParseCase(["--check", "--json"], options([]) { $0.check = true; $0.json = true }),
        ParseCase(["--json", "--check"], options([]) { $0.check = true; $0.json = true }),
        // the agent
        ParseCase(["--agent"], options([]) { $0.agent = true }),
        ParseCase(["--agent", "--json", "--agent-idle", "10m", "-v"], options([]) {
            $0.agent = true; $0.json = true; $0.agentIdleMillis = 600_000; $0.logLevel = .verbose
        }),
        ParseCase(["--agent-stop"], options([]) { $0.agentStop = true }),
        ParseCase(["--no-agent", "cmd"], options { $0.noAgent = true }),
        // everything at once
        ParseCase(["--source", "imds", "--role", "r", "--imds-endpoint", "http://127.0.0.1:1338", "--allow-imdsv1",
                   "--timeout", "3s", "--attempts", "5", "--no-region", "--on-rotate", "restart", "--refresh-before", "5m",
                   "--stop-signal", "INT", "--stop-timeout", "30s", "--serve", "-v", "--", "sh", "-c", "echo $AWS_REGION"],
                  options(["sh", "-c", "echo $AWS_REGION"]) {
                      $0.source = .imds; $0.role = "r"; $0.imdsEndpoint = "http://127.0.0.1:1338"; $0.allowIMDSv1 = true
                      $0.timeoutMillis = 3000; $0.attempts = 5; $0.noRegion = true; $0.onRotate = .restart
                      $0.refreshBeforeMillis = 300_000; $0.stopSignal = SIGINT; $0.stopTimeoutMillis = 30_000
                      $0.serve = true; $0.logLevel = .verbose
                  }),
        // help and version win wherever they stand among the options
        ParseCase(["-h"], action: .help),
        ParseCase(["--help"], action: .help),
        ParseCase(["--version"], action: .version),
        ParseCase(["--role", "x", "-h", "cmd"], action: .help),
        ParseCase(["--help", "--bogus"], action: .help),
        ParseCase(["--version", "--help"], action: .version),
    ]

    @Test(arguments: valid)
    func parses(_ c: ParseCase) throws {
        #expect(try Options.parse(c.args) == c.expected)
    }

    @Test func defaults() throws {
        guard case .run(let o) = try Options.parse(["cmd"]) else { Issue.record("not a run"); return }
        #expect(o.source == .auto)
        #expect(o.role == nil && o.imdsEndpoint == nil && o.timeoutMillis == nil && o.attempts == nil)
        #expect(!o.allowIMDSv1 && !o.noRegion && !o.noCoreDumps && !o.serve && !o.exec && !o.check)
        #expect(o.onRotate == .none)
        #expect(o.refreshBeforeMillis == 15 * 60_000)
        #expect(o.stopSignal == SIGTERM)
        #expect(o.stopTimeoutMillis == 10_000)
        #expect(o.logLevel == .normal)
        #expect(o.profile == nil && o.roleArn == nil && o.webIdentityTokenFile == nil && o.assumeRoleArn == nil)
        #expect(o.roleSessionName == nil && o.externalId == nil && o.durationSeconds == nil && o.sessionPolicyFile == nil)
        #expect(!o.json)
    }

    static let usageErrors: [UsageCase] = [
        // no command
        UsageCase([], "no command given"),
        UsageCase(["--"], "no command given"),
        UsageCase(["--no-region"], "no command given"),
        UsageCase(["--role", "x", "--"], "no command given"),
        UsageCase(["--", ""], "the command name is empty"),
        // --check takes no command
        UsageCase(["--check", "cmd"], "--check takes no command"),
        UsageCase(["--check", "--", "cmd"], "--check takes no command"),
        // --exec combinations
        UsageCase(["--exec", "--serve", "cmd"], "--exec cannot be combined with --serve"),
        UsageCase(["--serve", "--exec", "cmd"], "--exec cannot be combined with --serve"),
        UsageCase(["--exec", "--on-rotate", "restart", "cmd"], "--exec cannot be combined with --on-rotate"),
        UsageCase(["--on-rotate=signal:HUP", "--exec", "cmd"], "--exec cannot be combined with --on-rotate"),
        UsageCase(["--exec", "--on-rotate", "signal", "cmd"], "--exec cannot be combined with --on-rotate"),
        // --on-rotate signal brings no new keys without the endpoint
        UsageCase(["--on-rotate", "signal", "cmd"], "--on-rotate signal needs --serve"),
        UsageCase(["--on-rotate=signal:USR1", "cmd"], "use --on-rotate restart, or add --serve"),
        // unknown options
        UsageCase(["--bogus", "cmd"], "unknown option --bogus; see --help"),
        UsageCase(["-x", "cmd"], "unknown option -x; see --help"),
        UsageCase(["--bogus=1", "cmd"], "unknown option --bogus; see --help"),
        UsageCase(["--Role", "x", "cmd"], "unknown option --Role (did you mean --role?); see --help"),
        UsageCase(["-vq", "cmd"], "unknown option -vq; see --help"),
        UsageCase(["-v=1", "cmd"], "unknown option -v=1; see --help"),
        UsageCase(["---", "cmd"], "unknown option ---; see --help"),
        UsageCase(["--imds-endpiont", "http://x", "cmd"], "unknown option --imds-endpiont (did you mean --imds-endpoint?); see --help"),
        // what follows `=` is never echoed: it may be a value the user would rather not see in a log
        UsageCase(["--externalid=S3cr3tValue", "cmd"], "unknown option --externalid (did you mean --external-id?); see --help"),
        // missing values
        UsageCase(["--source"], "--source needs a value"),
        UsageCase(["--role"], "--role needs a value"),
        UsageCase(["--imds-endpoint"], "--imds-endpoint needs a value"),
        UsageCase(["--timeout"], "--timeout needs a value"),
        UsageCase(["--attempts"], "--attempts needs a value"),
        UsageCase(["--on-rotate"], "--on-rotate needs a value"),
        UsageCase(["--refresh-before"], "--refresh-before needs a value"),
        UsageCase(["--stop-signal"], "--stop-signal needs a value"),
        UsageCase(["--stop-timeout"], "--stop-timeout needs a value"),
        // flags given a value
        UsageCase(["--serve=yes", "cmd"], "--serve takes no value"),
        UsageCase(["--exec=1", "cmd"], "--exec takes no value"),
        UsageCase(["--check=1"], "--check takes no value"),
        UsageCase(["--verbose=1", "cmd"], "--verbose takes no value"),
        UsageCase(["--quiet=", "cmd"], "--quiet takes no value"),
        UsageCase(["--allow-imdsv1=true", "cmd"], "--allow-imdsv1 takes no value"),
        UsageCase(["--no-region=1", "cmd"], "--no-region takes no value"),
        UsageCase(["--no-core-dumps=0", "cmd"], "--no-core-dumps takes no value"),
        UsageCase(["--check", "--no-core-dumps"], "--no-core-dumps applies to COMMAND; --check runs none"),
        // bad values
        UsageCase(["--source", "ec2", "cmd"], "--source must be auto, web-identity, container, imds or roles-anywhere, not 'ec2'"),
        UsageCase(["--source=", "cmd"], "--source must be auto, web-identity, container, imds or roles-anywhere"),
        UsageCase(["--source", "IMDS", "cmd"], "--source must be auto, web-identity, container, imds or roles-anywhere"),
        UsageCase(["--source", "web_identity", "cmd"], "--source must be auto, web-identity, container, imds or roles-anywhere"),
        UsageCase(["--role", "bad/role", "cmd"], "--role: 'bad/role' is not a valid role name"),
        UsageCase(["--role=", "cmd"], "is not a valid role name"),
        UsageCase(["--role", String(repeating: "r", count: 65), "cmd"], "is not a valid role name"),
        UsageCase(["--role", "rôle", "cmd"], "is not a valid role name"),
        UsageCase(["--timeout", "fast", "cmd"], "--timeout: 'fast' is not a duration"),
        UsageCase(["--timeout", "-1s", "cmd"], "--timeout: '-1s' is not a duration"),
        UsageCase(["--timeout", "0", "cmd"], "--timeout must be more than zero"),
        UsageCase(["--timeout=0s", "cmd"], "--timeout must be more than zero"),
        UsageCase(["--attempts", "0", "cmd"], "--attempts must be a whole number from 1 to 20"),
        UsageCase(["--attempts", "21", "cmd"], "--attempts must be a whole number from 1 to 20"),
        UsageCase(["--attempts", "three", "cmd"], "--attempts must be a whole number from 1 to 20"),
        UsageCase(["--attempts", "-1", "cmd"], "--attempts must be a whole number from 1 to 20"),
        UsageCase(["--attempts", "1.5", "cmd"], "--attempts must be a whole number from 1 to 20"),
        UsageCase(["--on-rotate", "sometimes", "cmd"], "--on-rotate must be none, restart or signal[:SIG], not 'sometimes'"),
        UsageCase(["--on-rotate", "signal:BOGUS", "cmd"], "--on-rotate: 'BOGUS' is not a signal that can be sent"),
        UsageCase(["--on-rotate", "signal:", "cmd"], "--on-rotate: '' is not a signal that can be sent"),
        UsageCase(["--on-rotate", "signal:KILL", "cmd"], "--on-rotate: SIGKILL is not allowed as a rotation signal"),
        UsageCase(["--on-rotate", "signal:SIGKILL", "cmd"], "--on-rotate: SIGKILL is not allowed as a rotation signal"),
        UsageCase(["--on-rotate", "signal:9", "cmd"], "--on-rotate: SIGKILL is not allowed as a rotation signal"),
        UsageCase(["--on-rotate", "signal:STOP", "cmd"], "--on-rotate: SIGSTOP is not allowed as a rotation signal"),
        UsageCase(["--on-rotate", "signal:19", "cmd"], "--on-rotate: SIGSTOP is not allowed as a rotation signal"),
        UsageCase(["--refresh-before", "15x", "cmd"], "--refresh-before: '15x' is not a duration"),
        UsageCase(["--stop-timeout", "10 s", "cmd"], "--stop-timeout: '10 s' is not a duration"),
        // bad signals, and SIGKILL/SIGSTOP refused for --stop-signal in every spelling
        UsageCase(["--stop-signal", "KILL", "cmd"], "--stop-signal: SIGKILL is not allowed as the stop signal"),
        UsageCase(["--stop-signal", "SIGKILL", "cmd"], "--stop-signal: SIGKILL is not allowed as the stop signal"),
        UsageCase(["--stop-signal", "sigkill", "cmd"], "--stop-signal: SIGKILL is not allowed as the stop signal"),
        UsageCase(["--stop-signal=9", "cmd"], "--stop-signal: SIGKILL is not allowed as the stop signal"),
        UsageCase(["--stop-signal", "STOP", "cmd"], "--stop-signal: SIGSTOP is not allowed as the stop signal"),
        UsageCase(["--stop-signal", "19", "cmd"], "--stop-signal: SIGSTOP is not allowed as the stop signal"),
        UsageCase(["--stop-signal", "0", "cmd"], "--stop-signal: '0' is not a signal that can be sent"),
        UsageCase(["--stop-signal", "65", "cmd"], "--stop-signal: '65' is not a signal that can be sent"),
        UsageCase(["--stop-signal", "FOO", "cmd"], "--stop-signal: 'FOO' is not a signal that can be sent"),
        UsageCase(["--stop-signal", "", "cmd"], "--stop-signal: '' is not a signal that can be sent"),
        // an error before a later --help still wins, since parsing is left to right
        UsageCase(["--bogus", "--help"], "unknown option --bogus"),
        // --json
        UsageCase(["--json", "cmd"], "--json only goes with --check"),
        UsageCase(["--agent", "--assume-role", "arn:aws:iam::111122223333:role/r"], "--agent takes only --agent-idle, --json, -v and -q"),
        UsageCase(["--agent", "cmd"], "--agent takes only"),
        UsageCase(["--agent", "--agent-stop"], "cannot be combined"),
        UsageCase(["--agent-stop", "--json"], "--agent-stop takes only -v and -q"),
        UsageCase(["--agent-idle", "5m", "cmd"], "--agent-idle only goes with --agent"),
        UsageCase(["--agent", "--agent-idle", "500ms"], "--agent-idle must be at least 1s"),
        UsageCase(["--agent", "--agent-idle", "soon"], "is not a duration"),
        UsageCase(["--agent=1"], "--agent takes no value"),
        UsageCase(["--agent", "--no-agent"], "--agent takes only"),
        UsageCase(["--json=1", "--check"], "--json takes no value"),
        // new values needed
        UsageCase(["--profile"], "--profile needs a value"),
        UsageCase(["--role-arn"], "--role-arn needs a value"),
        UsageCase(["--web-identity-token-file"], "--web-identity-token-file needs a value"),
        UsageCase(["--assume-role"], "--assume-role needs a value"),
        UsageCase(["--role-session-name"], "--role-session-name needs a value"),
        UsageCase(["--external-id"], "--external-id needs a value"),
        UsageCase(["--duration"], "--duration needs a value"),
        UsageCase(["--session-policy"], "--session-policy needs a value"),
        // --profile
        UsageCase(["--profile=", "cmd"], "--profile: '' is not a profile name"),
        UsageCase(["--profile", "a\u{202E}b", "cmd"], "is not a profile name"),
        UsageCase(["--profile", String(repeating: "p", count: 257), "cmd"], "is not a profile name"),
        // role ARNs, both options
        UsageCase(["--role-arn", "web-server", "cmd"], "--role-arn: 'web-server' is not a role ARN (arn:aws:iam::123456789012:role/NAME)"),
        UsageCase(["--assume-role", "arn:aws:iam::123456789012:user/bob", "cmd"], "--assume-role: 'arn:aws:iam::123456789012:user/bob' is not a role ARN"),
        UsageCase(["--assume-role=", "cmd"], "--assume-role: '' is not a role ARN"),
        // paths
        UsageCase(["--web-identity-token-file=", "cmd"], "--web-identity-token-file needs a file path, not an empty value"),
        UsageCase(["--session-policy", "", "cmd"], "--session-policy needs a file path, not an empty value"),
        // session name, external id
        UsageCase(["--role-session-name", "a", "cmd"], "--role-session-name: 'a' is not a session name (2 to 64 letters, digits and _+=,.@-)"),
        UsageCase(["--role-session-name", "has space", "cmd"], "is not a session name"),
        UsageCase(["--role-session-name", "a:b", "cmd"], "is not a session name"),
        UsageCase(["--role-session-name", String(repeating: "s", count: 65), "cmd"], "is not a session name"),
        UsageCase(["--external-id", "x", "cmd"], "--external-id must be 2 to 1224 letters, digits and _+=,.@:/-"),
        UsageCase(["--external-id", "a b", "cmd"], "--external-id must be 2 to 1224"),
        UsageCase(["--external-id", String(repeating: "e", count: 1225), "cmd"], "--external-id must be 2 to 1224"),
        UsageCase(["--external-id", "caf\u{E9}", "cmd"], "--external-id must be 2 to 1224"),
        // --duration: the STS range, whole seconds
        UsageCase(["--duration", "14m59s", "cmd"], "--duration must be whole seconds from 15m to 12h (STS DurationSeconds), not 14m59s"),
        UsageCase(["--duration", "12h1s", "cmd"], "--duration must be whole seconds from 15m to 12h"),
        UsageCase(["--duration", "0", "cmd"], "--duration must be whole seconds from 15m to 12h"),
        UsageCase(["--duration", "900.5", "cmd"], "--duration must be whole seconds from 15m to 12h"),
        UsageCase(["--duration", "forever", "cmd"], "--duration: 'forever' is not a duration"),
    ]

    @Test(arguments: usageErrors)
    func refuses(_ c: UsageCase) {
        do {
            let action = try Options.parse(c.args)
            Issue.record("accepted: \(action)")
        } catch {
            #expect(error.description.contains(c.fragment), "\(error.description)")
        }
    }

    /// Text echoed back in a message is made printable and bounded, so a hostile argument cannot forge lines.
    @Test(arguments: [
        ["--bad\nname", "cmd"],
        ["--timeout", "1\r\nfake line", "cmd"],
        ["--source", "x\u{1B}[31m", "cmd"],
        ["--stop-signal", "\u{7F}", "cmd"],
    ])
    func echoedTextIsOneLine(_ args: [String]) {
        do {
            _ = try Options.parse(args)
            Issue.record("accepted \(args)")
        } catch {
            #expect(!error.description.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F })
        }
    }

    @Test func longEchoedTextIsTruncated() {
        let long = String(repeating: "x", count: 500)
        do {
            _ = try Options.parse(["--timeout", long, "cmd"])
            Issue.record("accepted a 500-character duration")
        } catch {
            #expect(error.description.contains("…"))
            #expect(error.description.count < 200)
        }
    }

    @Test(arguments: [
        ("web", true), ("a+b=c,d.e@f_g-h", true), (String(repeating: "x", count: 64), true), ("R2D2", true),
        ("", false), (String(repeating: "x", count: 65), false), ("a/b", false), ("a b", false), ("rôle", false),
        ("a\nb", false), ("a:b", false), ("../etc", false),
    ])
    func roleNames(_ name: String, _ valid: Bool) {
        #expect(IAMValues.isRoleName(name) == valid)
    }
}

@Suite("DurationText")
struct DurationTextTests {
    @Test(arguments: [
        ("90", 90_000), ("90s", 90_000), ("15m", 900_000), ("1h", 3_600_000), ("1h30m", 5_400_000),
        ("500ms", 500), ("1.5s", 1_500), ("1.5", 1_500), ("0", 0), ("0s", 0), ("2h15m30s", 8_130_000),
        ("1m500ms", 60_500), ("0.001", 1), ("1.2345678s", 1_234), ("1.5h", 5_400_000), ("0.5m", 30_000),
        ("999999999ms", 999_999_999), ("8760h", 31_536_000_000), ("31536000", 31_536_000_000), ("007s", 7_000),
        ("1s1s", 2_000),
    ] as [(String, Int64)])
    func parses(_ text: String, _ millis: Int64) {
        #expect(DurationText.parseMillis(text) == millis)
    }

    @Test(arguments: [
        "", "s", "ms", "m5", "-1", "-1s", "+1s", "1d", "1 h", " 1s", "1s ", "1.s", ".5s", "1..5s", "1.2.3s", "1S",
        "1H", "abc", "1h30", "\u{0663}s", "1e3", "0x10", "1,5s", "1_000", "8761h", "1234567890", "31536001", "999999999", "9223372036854775807",
        "1000000000ms", String(repeating: "1", count: 33), "1h\n", "1\u{0}s",
    ])
    func refuses(_ text: String) {
        #expect(DurationText.parseMillis(text) == nil)
    }

    /// A bare number means seconds, so it obeys the same limits as its `s` spelling.
    @Test(arguments: ["31536000", "31536001", "1", "0.5", "99999999", "999999999"])
    func bareNumberMeansSeconds(_ text: String) {
        #expect(DurationText.parseMillis(text) == DurationText.parseMillis(text + "s"))
    }

    @Test(arguments: [
        (0, "0ms"), (500, "500ms"), (1_500, "1500ms"), (1_000, "1s"), (90_000, "1m30s"), (5_400_000, "1h30m"),
        (3_600_000, "1h"), (3_661_000, "1h1m1s"), (900_000, "15m"), (86_400_000, "24h"),
    ] as [(Int64, String)])
    func formats(_ millis: Int64, _ text: String) {
        #expect(DurationText.format(millis: millis) == text)
        #expect(DurationText.parseMillis(text) == millis)
    }
}

@Suite("SignalName")
struct SignalNameTests {
    @Test(arguments: [
        ("HUP", SIGHUP), ("SIGHUP", SIGHUP), ("hup", SIGHUP), ("SigHup", SIGHUP), ("1", SIGHUP), ("15", SIGTERM),
        ("TERM", SIGTERM), ("INT", SIGINT), ("QUIT", SIGQUIT), ("USR1", SIGUSR1), ("SIGUSR2", SIGUSR2),
        ("WINCH", SIGWINCH), ("CHLD", SIGCHLD), ("CONT", SIGCONT), ("TSTP", SIGTSTP), ("PIPE", SIGPIPE),
        ("ALRM", SIGALRM), ("KILL", SIGKILL), ("STOP", SIGSTOP), ("64", 64), ("34", 34),
    ] as [(String, Int32)])
    func parses(_ text: String, _ signal: Int32) {
        #expect(SignalName.parse(text) == signal)
    }

    @Test(arguments: ["", "0", "65", "-1", "-15", "SIG", "SIGSIGHUP", "FOO", " HUP", "HUP ", "1.0", "99999999999",
                      "HUP\n", "SIG HUP", "RTMIN", "0x1"])
    func refuses(_ text: String) {
        #expect(SignalName.parse(text) == nil)
    }

    @Test(arguments: [(SIGTERM, "SIGTERM"), (SIGHUP, "SIGHUP"), (SIGKILL, "SIGKILL"), (SIGUSR1, "SIGUSR1"),
                      (SIGWINCH, "SIGWINCH"), (42, "signal 42")] as [(Int32, String)])
    func names(_ signal: Int32, _ name: String) {
        #expect(SignalName.name(signal) == name)
    }

    @Test func everyNameRoundTrips() {
        for (short, number) in SignalName.table {
            #expect(SignalName.parse(SignalName.name(number)) == number)
            #expect(SignalName.parse(short) == number)
            #expect(SignalName.parse(String(number)) == number)
        }
        #expect(Set(SignalName.table.map(\.1)).count == SignalName.table.count, "a signal number is listed twice")
    }
}

@Suite("Options: nearest option, STS formats")
struct OptionsSuggestionTests {
    /// Mistyped names and the option each error names; nil when nothing is near enough to be the one meant.
    @Test(arguments: [
        ("--imds-endpiont", "--imds-endpoint"),    // swapped letters: one edit
        ("--imds-endpont", "--imds-endpoint"),
        ("--imds-enpdoint", "--imds-endpoint"),
        ("--Role", "--role"),                      // case only
        ("--rol", "--role"),
        ("--roles", "--role"),
        ("--verbos", "--verbose"),
        ("-verbose", "--verbose"),                 // one dash too few
        ("---verbose", "--verbose"),
        ("--stop-singal", "--stop-signal"),
        ("--stop-timout", "--stop-timeout"),
        ("--refresh-befor", "--refresh-before"),
        ("--on-rotation", "--on-rotate"),
        ("--allow-imdsv2", "--allow-imdsv1"),
        ("--no-regions", "--no-region"),
        ("--sorce", "--source"),
        ("--jsn", "--json"),
        ("--chek", "--check"),
        ("--serv", "--serve"),
        ("--role-session", "--role-session-name"), // a unique start
        ("--web-identity", "--web-identity-token-file"),
        ("--assume-role-arn", "--assume-role"),    // a real option, extended
        ("--external_id", "--external-id"),
        ("--session-polcy", "--session-policy"),
        ("--durations", "--duration"),
        ("--profiel", "--profile"),
        ("-V", "-v"),
        ("--bogus", nil),
        ("-x", nil),
        ("-vq", nil),
        ("---", nil),
        ("--", nil),
        ("--zzzzzzzzzzzzz", nil),
        ("--xyz", nil),
        ("--ro", nil),                             // too short to guess among --role, --role-arn, …
        ("--time", "--timeout"),                   // a unique start
        ("--stop", nil),                           // starts two: --stop-signal, --stop-timeout
        ("--xtimeoutxyz", nil),                    // four edits: too far even for eleven letters
    ] as [(String, String?)])
    func nearest(_ typed: String, _ expected: String?) {
        #expect(Options.nearestOption(to: typed) == expected)
    }

    /// Optimal string alignment: a swap is one edit, and no substring is edited twice.
    @Test(arguments: [
        ("", "", 0), ("a", "", 1), ("", "abc", 3), ("abc", "abc", 0), ("abc", "abd", 1), ("abc", "acb", 1),
        ("ca", "abc", 3), ("kitten", "sitting", 3), ("endpoint", "endpiont", 1), ("ab", "ba", 1), ("abcd", "badc", 2),
    ] as [(String, String, Int)])
    func editDistance(_ a: String, _ b: String, _ d: Int) {
        #expect(Options.editDistance(Array(a.unicodeScalars), Array(b.unicodeScalars)) == d)
        #expect(Options.editDistance(Array(b.unicodeScalars), Array(a.unicodeScalars)) == d)
    }

    /// Each real option is known to the parser and suggests itself.
    @Test(arguments: Options.names)
    func realOptionsAreKnown(_ name: String) {
        #expect(Options.nearestOption(to: name) == name)
        do {
            _ = try Options.parse([name, "x"])
        } catch {
            #expect(!error.description.contains("unknown option"), "\(error.description)")
        }
    }

    @Test(arguments: [
        ("arn:aws:iam::123456789012:role/ci", true),
        ("arn:aws:iam::123456789012:role/path/to/ci", true),
        ("arn:aws-cn:iam::123456789012:role/ci", true),
        ("arn:aws-us-gov:iam::123456789012:role/ci", true),
        ("arn:aws-iso-b:iam::123456789012:role/ci", true),
        ("arn:aws:iam::123456789012:role/" + String(repeating: "r", count: 64), true),
        ("arn:aws:iam::123456789012:role/a+b=c,d.e@f_g-h", true),
        ("arn:aws:iam::123456789012:role/" + String(repeating: "p", count: 511) + "/r", true),
        ("arn:aws:iam::123456789012:role/" + String(repeating: "p", count: 512) + "/r", false),
        ("arn:aws:iam::123456789012:role/" + String(repeating: "r", count: 65), false),
        ("arn:aws:iam::123456789012:role/", false),
        ("arn:aws:iam::123456789012:role/path/", false),
        ("arn:aws:iam::123456789012:role", false),
        ("arn:aws:iam::123456789012:user/bob", false),
        ("arn:aws:iam::12345678901:role/ci", false),
        ("arn:aws:iam::1234567890123:role/ci", false),
        ("arn:aws:iam::12345678901x:role/ci", false),
        ("arn:aws:iam:us-east-1:123456789012:role/ci", false),
        ("arn:aws:sts::123456789012:role/ci", false),
        ("arn:aws:sts::123456789012:assumed-role/ci/session", false),
        ("arn::iam::123456789012:role/ci", false),
        ("arn:gcp:iam::123456789012:role/ci", false),
        ("arn:aws-:iam::123456789012:role/ci", false),
        ("arn:AWS:iam::123456789012:role/ci", false),
        ("ARN:aws:iam::123456789012:role/ci", false),
        ("arn:aws:iam::123456789012:role/c i", false),
        ("arn:aws:iam::123456789012:role/ci\n", false),
        ("arn:aws:iam::123456789012:role/r\u{F4}le", false),
        ("arn:aws:iam::123456789012:role/ci\u{202E}", false),
        ("ci", false),
        ("", false),
    ] as [(String, Bool)])
    func roleArns(_ arn: String, _ valid: Bool) {
        #expect(IAMValues.isRoleArn(arn) == valid)
    }

    @Test(arguments: [
        ("ab", true), ("ci-job_42", true), ("a+b=c,d.e@f_g-h", true), (String(repeating: "s", count: 64), true),
        ("a", false), ("", false), (String(repeating: "s", count: 65), false), ("a b", false), ("a:b", false),
        ("a/b", false), ("caf\u{E9}", false), ("ab\n", false),
    ] as [(String, Bool)])
    func sessionNames(_ name: String, _ valid: Bool) {
        #expect(IAMValues.isSessionName(name) == valid)
    }

    @Test(arguments: [
        ("ab", true), ("urn:partner:a/b=c", true), ("a+b=c,d.e@f_g-h:/", true), (String(repeating: "e", count: 1224), true),
        ("a", false), ("", false), (String(repeating: "e", count: 1225), false), ("a b", false), ("a;b", false),
        ("caf\u{E9}", false), ("ab\u{0}", false),
    ] as [(String, Bool)])
    func externalIds(_ id: String, _ valid: Bool) {
        #expect(IAMValues.isExternalId(id) == valid)
    }
}

@Suite("--help")
struct HelpTextTests {
    static var lines: [Substring] { HelpText.usage.split(separator: "\n", omittingEmptySubsequences: false) }

    @Test func fitsEightyColumns() {
        for line in Self.lines {
            #expect(line.unicodeScalars.count <= 80, "\(line.unicodeScalars.count) columns: \(line)")
            #expect(!line.hasSuffix(" "), "trailing space: \(line)")
        }
    }

    /// The option part of an option line (before the first run of two spaces, or all of it), and the
    /// column its description starts at (nil for a long option whose description is on the next line).
    static func split(_ line: Substring) -> (option: String, description: Int?) {
        let scalars = Array(line.unicodeScalars)
        var i = 2
        while i + 1 < scalars.count, !(scalars[i] == " " && scalars[i + 1] == " ") { i += 1 }
        let option = String(String.UnicodeScalarView(scalars[..<min(i, scalars.count)]))
        guard i + 1 < scalars.count else { return (option, nil) }
        var start = i
        while start < scalars.count, scalars[start] == " " { start += 1 }
        return (option, start)
    }

    /// Each option line shows its description at the one column, or stands alone (a long option) and its
    /// description follows on the next line; continuation lines start at the same column.
    @Test func optionColumnIsAligned() {
        let column = HelpText.descriptionColumn
        let indent = String(repeating: " ", count: column)
        var inOptions = false, expectContinuation = false, optionLines = 0
        for line in Self.lines {
            if line.hasPrefix("  -") {
                optionLines += 1
                inOptions = true
                let (option, start) = Self.split(line)
                if let start {
                    #expect(start == column, "description at column \(start + 1), not \(column + 1): \(line)")
                } else {
                    #expect(option.unicodeScalars.count >= column - 2, "a short option without a description: \(line)")
                }
                expectContinuation = start == nil
            } else if inOptions && line.hasPrefix("   ") {
                #expect(line.hasPrefix(indent) && !line.hasPrefix(indent + " "), "continuation not at column \(column + 1): \(line)")
                expectContinuation = false
            } else {
                #expect(!expectContinuation, "no description after: \(line)")
                inOptions = false
            }
        }
        #expect(optionLines >= 25)
    }

    /// `--help` and the parser tell the same story: every option parsed is listed, every listed option parses.
    @Test func listsEveryOption() {
        let listed = Self.lines.filter { $0.hasPrefix("  -") }.flatMap { line in
            Self.split(line).option.split(separator: " ").map { $0.hasSuffix(",") ? String($0.dropLast()) : String($0) }
                .filter { $0.hasPrefix("-") }
        }
        #expect(listed == Options.names)
    }
}

@Suite("the option table")
struct OptionTableTests {
    /// `--help` as the golden file holds it: a change to the table or the wrapping shows up here. After a
    /// deliberate change: `.build/debug/with-role-creds --help > Tests/RoleCredsTests/Golden/help.txt`.
    @Test func helpMatchesTheGoldenFile() throws {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast()
        let path = parts.joined(separator: "/") + "/Golden/help.txt"
        guard let bytes = try readSmallFile(path, limit: 1 << 20) else { Issue.record("\(path) is missing"); return }
        #expect(String(decoding: bytes, as: UTF8.self) == HelpText.usage + "\n")
    }

    @Test func everyNameIsUniqueAndEveryValueOptionHasAPlaceholder() {
        let names = OptionTable.names
        #expect(Set(names).count == names.count)
        for spec in OptionTable.all {
            if case .value = spec.kind { #expect(spec.placeholder != nil, "\(spec.names)") } else { #expect(spec.placeholder == nil, "\(spec.names)") }
        }
    }

    /// The man page and the completions come from the same table as the parser: each lists every option.
    @Test(arguments: ["man", "bash", "zsh", "fish"])
    func generatedDocumentsListEveryOption(_ kind: String) throws {
        let text = kind == "man" ? ManPage.render(version: "1.0", date: "2026-01-01") : try #require(Completions.script(for: kind))
        for spec in OptionTable.all {
            for name in spec.names {
                let spelled: String
                switch kind {
                case "man": spelled = ManPage.roff(name)
                case "fish": spelled = name.hasPrefix("--") ? "-l \(name.dropFirst(2))" : "-s \(name.dropFirst())"
                default: spelled = name
                }
                #expect(text.contains(spelled), "\(kind) lacks \(name)")
            }
            for choice in spec.choices {
                #expect(text.contains(kind == "man" ? ManPage.roff(choice) : choice), "\(kind) lacks \(choice) of \(spec.names[0])")
            }
        }
    }

    @Test func theManPageEscapesRoff() {
        #expect(ManPage.roff(".x-y\\z") == "\\&.x\\-y\\ez")
    }
}
