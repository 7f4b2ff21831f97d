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
        #expect(!o.allowIMDSv1 && !o.noRegion && !o.serve && !o.exec && !o.check)
        #expect(o.onRotate == .none)
        #expect(o.refreshBeforeMillis == 15 * 60_000)
        #expect(o.stopSignal == SIGTERM)
        #expect(o.stopTimeoutMillis == 10_000)
        #expect(o.logLevel == .normal)
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
        // --on-rotate signal brings no new keys without the endpoint (issue 15 #5)
        UsageCase(["--on-rotate", "signal", "cmd"], "--on-rotate signal needs --serve"),
        UsageCase(["--on-rotate=signal:USR1", "cmd"], "use --on-rotate restart, or add --serve"),
        // unknown options
        UsageCase(["--bogus", "cmd"], "unknown option '--bogus'"),
        UsageCase(["-x", "cmd"], "unknown option '-x'"),
        UsageCase(["--bogus=1", "cmd"], "unknown option '--bogus=1'"),
        UsageCase(["--Role", "x", "cmd"], "unknown option '--Role'"),
        UsageCase(["-vq", "cmd"], "unknown option '-vq'"),
        UsageCase(["-v=1", "cmd"], "unknown option '-v=1'"),
        UsageCase(["---", "cmd"], "unknown option '---'"),
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
        // bad values
        UsageCase(["--source", "ec2", "cmd"], "--source must be auto, imds or container, not 'ec2'"),
        UsageCase(["--source=", "cmd"], "--source must be auto, imds or container"),
        UsageCase(["--source", "IMDS", "cmd"], "--source must be auto, imds or container"),
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
        UsageCase(["--on-rotate", "signal:KILL", "cmd"], "--on-rotate: 'KILL' is not a signal that can be sent"),
        UsageCase(["--on-rotate", "signal:STOP", "cmd"], "is not a signal that can be sent"),
        UsageCase(["--refresh-before", "15x", "cmd"], "--refresh-before: '15x' is not a duration"),
        UsageCase(["--stop-timeout", "10 s", "cmd"], "--stop-timeout: '10 s' is not a duration"),
        // bad signals, and SIGKILL/SIGSTOP refused for --stop-signal in every spelling
        UsageCase(["--stop-signal", "KILL", "cmd"], "--stop-signal: 'KILL' is not a signal that can be sent"),
        UsageCase(["--stop-signal", "SIGKILL", "cmd"], "--stop-signal: 'SIGKILL' is not a signal that can be sent"),
        UsageCase(["--stop-signal", "sigkill", "cmd"], "--stop-signal: 'sigkill' is not a signal that can be sent"),
        UsageCase(["--stop-signal=9", "cmd"], "--stop-signal: '9' is not a signal that can be sent"),
        UsageCase(["--stop-signal", "STOP", "cmd"], "--stop-signal: 'STOP' is not a signal that can be sent"),
        UsageCase(["--stop-signal", "19", "cmd"], "--stop-signal: '19' is not a signal that can be sent"),
        UsageCase(["--stop-signal", "0", "cmd"], "--stop-signal: '0' is not a signal that can be sent"),
        UsageCase(["--stop-signal", "65", "cmd"], "--stop-signal: '65' is not a signal that can be sent"),
        UsageCase(["--stop-signal", "FOO", "cmd"], "--stop-signal: 'FOO' is not a signal that can be sent"),
        UsageCase(["--stop-signal", "", "cmd"], "--stop-signal: '' is not a signal that can be sent"),
        // an error before a later --help still wins, since parsing is left to right
        UsageCase(["--bogus", "--help"], "unknown option '--bogus'"),
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
        #expect(Options.isValidRoleName(name) == valid)
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
