import Foundation
import Glibc
import Testing
@testable import RoleCreds

/// What a launch does with an agent that is not this one (Fixtures/fake_agent.py on a Unix socket): an agent
/// of another protocol version is never given an MFA chain, and an MFA code the agent was already fetching
/// with is never sent to STS a second time by the launch. The MFA profile, fake STS and mock of `MFATests`.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct AgentVersionTests {
    /// A stand-in agent that writes `answers` to every request; its log says what each request carried.
    final class FakeAgent {
        let server: HelperServer
        var path: String { server.ready }
        init(_ answers: [String]) async throws {
            let script = Paths.root.appendingPathComponent("Tests/LauncherTests/Fixtures/fake_agent.py").path
            server = try await HelperServer("fake agent", readyFile: "ready") { dir in
                ["/usr/bin/env", "python3", script, "--socket", dir.path("agent.sock"), "--ready-file", dir.path("ready"),
                 "--log", dir.path("log")] + answers.flatMap { ["--answer", $0] }
            }
        }
        func log() -> [String] {
            ((try? String(contentsOfFile: server.dir.path("log"), encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
    }

    /// Types an MFA launch that prints its key id, types `code` at the prompt, and returns the screen up to its status.
    static func run(_ pty: PseudoTerminal, code: String) async throws -> String {
        pty.type("\"$WRC\" --profile admin -- sh -c 'echo got\"\"-$AWS_ACCESS_KEY_ID'; echo status\"\"-$?\n")
        var shown = try await pty.expect(AgentMFATests.prompt)
        pty.type(code + "\n")
        shown += try await pty.expect("status-")
        shown += try await pty.expectPrompt()
        return shown
    }

    @Test func anAgentOfTheFirstVersionIsNotGivenTheChainAndTheLaunchFetchesItself() async throws {
        // What a version-1 agent answers to any request of another version.
        let agent = try await FakeAgent(["{\"v\":1,\"status\":\"error\",\"error\":\"protocol version not understood (this agent speaks 1)\",\"transient\":false}"])
        let (sts, _, dir, env) = try await MFATests.setUp()
        defer { withExtendedLifetime(dir) {} }
        let pty = try await MFATests.terminal(env.merging([AgentProcess.socketVariable: agent.path]) { $1 })
        let shown = try await Self.run(pty, code: MFATests.code)
        #expect(shown.contains("fetching without the agent"), "the one warning line: \(shown)")
        #expect(shown.contains("got-ASIAFAKESTS000000001") && shown.contains("status-0"), "\(shown)")
        #expect(sts.requests().map { $0.form["TokenCode"] } == [MFATests.code])
        #expect(agent.log() == ["op=get codes=no"], "\(agent.log())")
    }

    @Test func aCodeTheAgentWasFetchingWithIsNotSentAgain() async throws {
        // Asked without a code it needs one; given the code it says it is fetching, then goes away unanswered.
        let v = AgentProtocol.version
        let agent = try await FakeAgent(["{\"v\":\(v),\"status\":\"mfa\",\"serials\":[\"\(MFATests.serial)\"]}",
                                         "{\"v\":\(v),\"status\":\"fetching\"}"])
        let (sts, _, dir, env) = try await MFATests.setUp()
        defer { withExtendedLifetime(dir) {} }
        let pty = try await MFATests.terminal(env.merging([AgentProcess.socketVariable: agent.path]) { $1 })
        let shown = try await Self.run(pty, code: MFATests.code)
        #expect(shown.contains("status-125") && !shown.contains("got-"), "\(shown)")
        #expect(shown.contains("an MFA code works once"), "the error line: \(shown)")
        #expect(sts.requests().isEmpty, "the launch sent the code to STS again: \(sts.requests().map(\.form))")
        #expect(agent.log() == ["op=get codes=no", "op=get codes=yes"], "\(agent.log())")
    }
}
