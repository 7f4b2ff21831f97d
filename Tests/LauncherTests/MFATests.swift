import Foundation
import Glibc
import Testing
@testable import RoleCreds

/// `mfa_serial`: the code is asked on the terminal before any call, sent as
/// `SerialNumber` and `TokenCode`, and never shown; without a terminal the run stops before anything is
/// fetched. The fake STS refuses an `AssumeRole` without the right pair, as real STS does.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct MFATests {
    static let serial = "arn:aws:iam::111122223333:mfa/alice"
    static let code = "271828"
    static let config = """
        [profile admin]
        role_arn = arn:aws:iam::444455556666:role/admin
        source_profile = alice
        mfa_serial = \(serial)
        """

    static func setUp() async throws -> (FakeSTS, Mock, TempDir, [String: String]) {
        let sts = try await FakeSTS(["--mfa", "\(serial):\(code)"])
        let mock = try await Mock()
        let dir = try ProfileTests.files(config: config, credentials: "[alice]\naws_access_key_id = \(ProfileTests.baseKeyId)\naws_secret_access_key = \(ProfileTests.baseSecret)\n")
        let env = ProfileTests.fileEnvironment(dir).merging(["AWS_ENDPOINT_URL_STS": sts.url, "AWS_EC2_METADATA_SERVICE_ENDPOINT": mock.url]) { $1 }
        return (sts, mock, dir, env)
    }

    /// A terminal whose shell has the test's environment and the launcher as `$WRC`.
    static func terminal(_ env: [String: String]) async throws -> PseudoTerminal {
        let pty = try PseudoTerminal(environment: baseEnvironment().merging(env) { $1 }.merging(["WRC": Paths.launcher]) { $1 })
        try await pty.expectPrompt()
        return pty
    }

    @Test func theCodeIsAskedOnTheTerminalAndSentWithTheSerial() async throws {
        let (sts, mock, dir, env) = try await Self.setUp()
        defer { withExtendedLifetime(dir) {} }
        let pty = try await Self.terminal(env)
        // The marker is split with "" so the echo of the typed command line never contains it.
        pty.type("\"$WRC\" -v --profile admin -- sh -c 'echo got\"\"-$AWS_ACCESS_KEY_ID'; echo status-$?\n")
        try await pty.expect("MFA code for profile admin (\(Self.serial)): ")
        pty.type(Self.code + "\n")
        let shown = try await pty.expect("status-")
        try await pty.expectPrompt()
        #expect(shown.contains("got-ASIAFAKESTS000000001"), "\(shown)")
        #expect(pty.screen.contains("status-0"), "\(pty.screen.suffix(500))")
        #expect(!pty.screen.contains(Self.code), "the code showed on the terminal (echo or a log line)")
        let requests = sts.requests()
        #expect(requests.count == 1, "\(requests.map(\.form))")
        #expect(requests.first?.form["SerialNumber"] == Self.serial && requests.first?.form["TokenCode"] == Self.code)
        #expect(mock.log().isEmpty)
    }

    @Test func aCodeThatIsNotSixDigitsIsRefusedBeforeTheCall() async throws {
        let (sts, _, dir, env) = try await Self.setUp()
        defer { withExtendedLifetime(dir) {} }
        let pty = try await Self.terminal(env)
        pty.type("\"$WRC\" --profile admin -- true; echo status-$?\n")
        try await pty.expect("MFA code for profile admin (\(Self.serial)): ")
        pty.type("27182\n")
        let shown = try await pty.expect("status-125")
        #expect(shown.contains("with-role-creds: the MFA code for profile admin must be 6 digits; nothing was sent"), "\(shown)")
        #expect(sts.entries().isEmpty, "STS was called: \(sts.requests().map(\.form))")
    }

    /// Ctrl-C at the prompt ends the launcher by SIGINT at once (the prompt waits on the signal too).
    @Test func ctrlCAtThePromptEndsTheRunBySIGINT() async throws {
        let (sts, _, dir, env) = try await Self.setUp()
        defer { withExtendedLifetime(dir) {} }
        let pty = try await Self.terminal(env)
        pty.type("\"$WRC\" --profile admin -- true\n")
        try await pty.expect("MFA code for profile admin (\(Self.serial)): ")
        pty.type("\u{3}")
        try await pty.expectPrompt(timeout: 10)
        // A job killed by SIGINT ends the shell's command list, so the status is asked on its own.
        pty.type("echo status-$?\n")
        try await pty.expect("status-130", timeout: 10)
        #expect(sts.entries().isEmpty, "STS was called: \(sts.requests().map(\.form))")
    }

    @Test func withoutATerminalTheRunStopsBeforeAnythingIsFetched() async throws {
        let (sts, mock, dir, env) = try await Self.setUp()
        defer { withExtendedLifetime(dir) {} }
        // launch() starts the launcher in a session of its own: no controlling terminal.
        let result = try await launch(["--profile", "admin", "--", "true"], environment: env)
        #expect(result.status == 125, "\(result.stderr)")
        #expect(result.stderrLines == ["with-role-creds: profile admin needs an MFA code (mfa_serial \(Self.serial)), and there is no terminal to ask for it on; nothing was fetched"],
                "\(result.stderr)")
        #expect(sts.entries().isEmpty && mock.log().isEmpty, "something was contacted")
    }
}
