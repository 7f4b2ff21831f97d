import Foundation
import Testing
@testable import RoleCreds

/// The command line as a user meets it (spec §1): each mistake is one line on
/// stderr and exit 125, before any request; `--help` fits 80 columns.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct CommandLineTests {
    @Test(arguments: [
        (["--imds-endpiont", "http://127.0.0.1:9", "--", "true"],
         "with-role-creds: unknown option --imds-endpiont (did you mean --imds-endpoint?); see --help"),
        (["--refresh-befor=5m", "--", "true"], "with-role-creds: unknown option --refresh-befor (did you mean --refresh-before?); see --help"),
        (["--frobnicate", "--", "true"], "with-role-creds: unknown option --frobnicate; see --help"),
        (["--serve", "--on-rotate", "signal:KILL", "--", "true"],
         "with-role-creds: --on-rotate: SIGKILL is not allowed as a rotation signal (it cannot be caught; "
         + "use a signal COMMAND handles, such as HUP or USR1, or --on-rotate restart)"),
        (["--role-arn", "my-role", "--", "true"], "with-role-creds: --role-arn: 'my-role' is not a role ARN (arn:aws:iam::123456789012:role/NAME)"),
        (["--assume-role", "arn:aws:iam::123:role/x", "--", "true"], "with-role-creds: --assume-role: 'arn:aws:iam::123:role/x' is not a role ARN"),
        (["--duration", "5m", "--", "true"], "with-role-creds: --duration must be whole seconds from 15m to 12h (STS DurationSeconds), not 5m"),
        (["--external-id", "x", "--", "true"], "with-role-creds: --external-id must be 2 to 1224 letters, digits and _+=,.@:/-"),
        (["--role-session-name", "a b", "--", "true"], "with-role-creds: --role-session-name: 'a b' is not a session name"),
        (["--json", "--", "true"], "with-role-creds: --json only goes with --check"),
        (["--source", "sts", "--", "true"], "with-role-creds: --source must be auto, web-identity, container, imds or roles-anywhere, not 'sts'"),
    ] as [([String], String)])
    func mistakeIsOneLineAndExit125(arguments: [String], message: String) async throws {
        let mock = try await Mock()
        let result = try await launch(["--imds-endpoint", mock.url] + arguments)
        #expect(result.status == 125)
        #expect(result.stderrLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix(message), "\(result.stderr)")
        #expect(mock.log().isEmpty, "a request was made before the command line was checked")
    }

    /// A hostile argument echoed in the error cannot move the cursor, start a terminal sequence or
    /// reverse the line: C1 controls and bidi overrides arrive escaped.
    @Test(arguments: [
        ("arn\u{9B}2J", "\u{9B}"), ("arn\u{85}with-role-creds: ok", "\u{85}"), ("arn:\u{202E}txt.exe", "\u{202E}"),
        ("arn:\u{2067}x\u{2069}", "\u{2067}"), ("arn\u{2028}x", "\u{2028}"), ("arn\u{200F}x", "\u{200F}"), ("arn\u{1B}[31m", "\u{1B}"),
    ] as [(String, Unicode.Scalar)])
    func echoedArgumentIsEscaped(_ value: String, _ bad: Unicode.Scalar) async throws {
        let result = try await launch(["--role-arn", value, "--", "true"])
        #expect(result.status == 125)
        #expect(result.stderrLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.hasSuffix("\n"))
        #expect(!result.stderr.unicodeScalars.contains(bad), "\(result.stderr.debugDescription)")
        #expect(result.stderr.contains("is not a role ARN"))
    }

    @Test func helpFitsEightyColumns() async throws {
        let help = try await launch(["--help"])
        #expect(help.status == 0)
        let lines = help.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count > 40)
        for line in lines { #expect(line.unicodeScalars.count <= 80, "\(line)") }
        for name in Options.names { #expect(help.stdout.contains(name), "\(name) is not in --help") }
    }
}
