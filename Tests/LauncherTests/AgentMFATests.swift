import Foundation
import Glibc
import Testing
@testable import RoleCreds

/// `mfa_serial` through the agent: the launch asks the agent first without prompting; when
/// the agent holds no result it prompts on its terminal as without an agent and sends the code; the agent
/// fetches with it and serves the result to later launches (one code per agent session). Real agent,
/// real pseudo-terminal, the loopback fake STS that refuses an `AssumeRole` without the right code.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct AgentMFATests {
    static let prompt = "MFA code for profile admin (\(MFATests.serial)): "

    /// The fake STS, the mock, the profile files, an agent, and the launch environment naming them all.
    static func setUp(stsArguments: [String] = ["--mfa", "\(MFATests.serial):\(MFATests.code)"]) async throws
        -> (sts: FakeSTS, mock: Mock, dir: TempDir, agent: AgentRun, env: [String: String]) {
        let (_, mock, dir, env) = try await MFATests.setUp()
        let sts = try await FakeSTS(stsArguments)
        let agent = try await AgentRun()
        let launchEnv = env.merging(agent.environment) { $1 }.merging(["AWS_ENDPOINT_URL_STS": sts.url]) { $1 }
        return (sts, mock, dir, agent, launchEnv)
    }

    /// Types a launch that prints its key id, and returns what the terminal showed up to its status.
    static func run(_ pty: PseudoTerminal, _ flags: String = "", code: String?) async throws -> String {
        // The markers are split with "" so the echo of the typed command line never contains them.
        pty.type("\"$WRC\" \(flags) --profile admin -- sh -c 'echo got\"\"-$AWS_ACCESS_KEY_ID'; echo status\"\"-$?\n")
        var shown = ""
        if let code {
            shown += try await pty.expect(prompt)
            pty.type(code + "\n")
        }
        shown += try await pty.expect("status-")
        shown += try await pty.expectPrompt()
        return shown
    }

    @Test func twoLaunchesOnePromptOneAssumeRole() async throws {
        let (sts, mock, dir, agent, env) = try await Self.setUp()
        defer { withExtendedLifetime(dir) {} }
        let pty = try await MFATests.terminal(env)
        let first = try await Self.run(pty, code: MFATests.code)
        #expect(first.contains("got-ASIAFAKESTS000000001") && first.contains("status-0"), "\(first)")
        // No code typed: a prompt would leave the launch waiting and `status-` would never show.
        let second = try await Self.run(pty, code: nil)
        #expect(!second.contains("MFA code for"), "the second launch prompted: \(second)")
        #expect(second.contains("got-ASIAFAKESTS000000001") && second.contains("status-0"), "\(second)")
        let requests = sts.requests()
        #expect(requests.count == 1, "\(requests.map(\.form))")
        #expect(requests.first?.form["SerialNumber"] == MFATests.serial && requests.first?.form["TokenCode"] == MFATests.code)
        #expect(!pty.screen.contains(MFATests.code), "the code showed on the terminal")
        #expect(!agent.log().contains(MFATests.code), "the code is in the agent's log: \(agent.log())")
        #expect(credentialRequests(mock).isEmpty)
        // A launch without a terminal is served the session's result too: it needs no code.
        let detached = try await launch(["--profile", "admin", "--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID"], environment: env)
        #expect(detached.status == 0 && detached.stdout == "ASIAFAKESTS000000001\n", "\(detached.stdout) \(detached.stderr)")
        #expect(sts.requests().count == 1)
    }

    @Test func withoutATerminalNothingIsFetched() async throws {
        let (sts, mock, dir, agent, env) = try await Self.setUp()
        defer { withExtendedLifetime(dir) {} }
        // launch() starts the launcher in a session of its own: no controlling terminal.
        let result = try await launch(["--profile", "admin", "--", "true"], environment: env)
        #expect(result.status == 125, "\(result.stderr)")
        #expect(result.stderrLines == ["with-role-creds: profile admin needs an MFA code (mfa_serial \(MFATests.serial)), and there is no terminal to ask for it on; nothing was fetched"],
                "\(result.stderr)")
        #expect(sts.entries().isEmpty && mock.log().isEmpty, "something was contacted")
        #expect(!agent.log().contains("fetching for a plan"), "the agent fetched: \(agent.log())")
    }

    @Test func aWrongCodeReachesTheLaunchAndNothingIsCached() async throws {
        let (sts, _, dir, agent, env) = try await Self.setUp()
        defer { withExtendedLifetime(dir) {} }
        let pty = try await MFATests.terminal(env)
        let wrong = try await Self.run(pty, code: "314159")
        #expect(wrong.contains("status-125"), "\(wrong)")
        #expect(wrong.contains("with-role-creds: ") && wrong.contains("MultiFactorAuthentication failed"), "the STS error line: \(wrong)")
        #expect(!wrong.contains("got-"), "the command ran")
        // Nothing was kept, not even the failure: the next launch is asked again, and its right code works.
        let right = try await Self.run(pty, code: MFATests.code)
        #expect(right.contains("got-ASIAFAKESTS000000002") && right.contains("status-0"), "\(right)")
        let requests = sts.requests()
        #expect(requests.map { $0.form["TokenCode"] } == ["314159", MFATests.code], "\(requests.map(\.form))")
        #expect(!pty.screen.contains("314159") && !agent.log().contains("314159"), "the wrong code was shown or logged")
    }

    @Test func noAgentPromptsAndFetchesByItself() async throws {
        // Any code passes here: the point is who calls STS, and that the agent is left alone.
        let (sts, _, dir, agent, env) = try await Self.setUp(stsArguments: [])
        defer { withExtendedLifetime(dir) {} }
        let pty = try await MFATests.terminal(env)
        let served = try await Self.run(pty, code: MFATests.code)
        #expect(served.contains("got-ASIAFAKESTS000000001"), "\(served)")
        let direct = try await Self.run(pty, "--no-agent", code: "161803")
        #expect(direct.contains("got-ASIAFAKESTS000000002") && direct.contains("status-0"), "\(direct)")
        #expect(sts.requests().map { $0.form["TokenCode"] } == [MFATests.code, "161803"])
        // The agent still holds the first session's keys: `--no-agent` neither asked nor replaced them.
        let again = try await Self.run(pty, code: nil)
        #expect(again.contains("got-ASIAFAKESTS000000001"), "\(again)")
        #expect(sts.requests().count == 2)
        withExtendedLifetime(agent) {}
    }

    @Test func aGoneAgentStillPromptsAndTheLaunchFetchesByItself() async throws {
        let (sts, _, dir, _, env) = try await Self.setUp()
        defer { withExtendedLifetime(dir) {} }
        let pty = try await MFATests.terminal(env.merging([AgentProcess.socketVariable: dir.path("gone.sock")]) { $1 })
        let shown = try await Self.run(pty, code: MFATests.code)
        #expect(shown.contains("fetching without the agent"), "the one warning line: \(shown)")
        #expect(shown.contains("got-ASIAFAKESTS000000001") && shown.contains("status-0"), "\(shown)")
        #expect(sts.requests().map { $0.form["TokenCode"] } == [MFATests.code])
    }
}
