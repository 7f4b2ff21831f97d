import Foundation
import Testing
@testable import RoleCreds

/// An agent started the way a user starts one (`eval "$(with-role-creds --agent)"`), with `-v` so its
/// log lands in a file the test reads; stopped with SIGTERM at the end of the test.
final class AgentRun {
    let socket: String
    let pid: pid_t
    let starter: RunResult
    let dir = TempDir()
    var logPath: String { dir.path("agent.log") }

    /// `arguments`: more options for `--agent` (`--agent-idle 1s`); `environment`: on top of the base one.
    init(_ arguments: [String] = [], environment: [String: String] = [:]) async throws {
        let env = baseEnvironment().merging(environment) { $1 }
        let running = try Running(Paths.launcher, ["--agent", "-v"] + arguments, environment: env)
        starter = await running.wait(timeout: 20)
        // The agent keeps the starter's stderr (a file of `running`): copy it on demand through /proc.
        guard starter.status == 0 else { throw HarnessError("--agent failed: \(starter.stderr)") }
        let values = AgentRun.variables(starter.stdout)
        guard let socket = values[AgentProcess.socketVariable], let pid = values[AgentProcess.pidVariable].flatMap(pid_t.init) else {
            throw HarnessError("--agent printed no variables: \(starter.stdout)")
        }
        self.socket = socket
        self.pid = pid
        self.errPath = running.dir.path("err")
        self.keep = running
    }

    private let errPath: String
    /// Keeps the starter's directory (the agent's stderr file) until the test ends.
    private let keep: Running

    deinit { kill(pid, SIGTERM) }

    /// `NAME=value; export NAME;` lines → name → value.
    static func variables(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let first = line.split(separator: ";").first, let eq = first.firstIndex(of: "=") else { continue }
            result[String(first[..<eq])] = String(first[first.index(after: eq)...])
        }
        return result
    }

    /// The agent's log so far (its stderr with `-v`).
    func log() -> String { (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "" }

    /// The launch environment that names this agent.
    var environment: [String: String] { [AgentProcess.socketVariable: socket, AgentProcess.pidVariable: String(pid)] }

    /// Whether the agent process is still there (not even a zombie: `kill 0` fails once it is reaped).
    var isAlive: Bool {
        guard kill(pid, 0) == 0 else { return false }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return !stat.contains(") Z ")
    }

    /// Asks the agent directly with the library's client.
    func ask(_ request: AgentRequest) throws -> AgentAnswer {
        try AgentClient.ask(socket, request, wait: Wait(millis: 5_000, clock: SystemClock()), firstAnswerMillis: 5_000)
    }
}

/// The mock's credential requests (the role list and the credentials, not the token or the region).
func credentialRequests(_ mock: Mock) -> [String] {
    mock.log().filter { $0.contains("security-credentials") }
}
