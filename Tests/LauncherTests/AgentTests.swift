import Foundation
import Testing
@testable import RoleCreds

/// The agent: real agents, launches and endpoints on loopback.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct AgentTests {
    static let role = "arn:aws:iam::111122223333:role/deploy"

    @Test func servedLaunchAsksNothingAndGivesTheSameEnvironment() async throws {
        let mock = try await Mock()
        let agent = try await AgentRun()
        let env = agent.environment.merging(["AWS_EC2_METADATA_SERVICE_ENDPOINT": mock.url]) { $1 }
        let first = try await launch(["--", "env"], environment: env)
        #expect(first.status == 0, "\(first.stderr)")
        let before = mock.log().count
        let second = try await launch(["--", "env"], environment: env)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.isEmpty, "\(second.stderr)")
        #expect(mock.log().count == before, "a served launch asked IMDS: \(mock.log().suffix(4))")
        let current = try mock.current()
        let served = parseEnv(second.stdout)
        #expect(served["AWS_ACCESS_KEY_ID"] == [current["AccessKeyId"]!])
        #expect(served["AWS_SECRET_ACCESS_KEY"] == [current["SecretAccessKey"]!])
        #expect(served["AWS_SESSION_TOKEN"] == [current["Token"]!])
        #expect(served["AWS_REGION"] == parseEnv(first.stdout)["AWS_REGION"])
        #expect(served[AgentProcess.socketVariable] == [agent.socket], "the command keeps the variable for its own launches")
        let direct = try await launch(["--no-agent", "--", "env"], environment: env)
        #expect(mock.log().count > before, "--no-agent fetched by itself")
        let names = { (text: String) in Set(parseEnv(text).keys) }
        #expect(names(direct.stdout) == names(second.stdout))
    }

    @Test func parallelLaunchesMakeOneSTSCall() async throws {
        let mock = try await Mock()
        let sts = try await FakeSTS(["--delay-ms", "50"])
        let agent = try await AgentRun()
        var env = baseEnvironment().merging(agent.environment) { $1 }
        env.merge(["AWS_EC2_METADATA_SERVICE_ENDPOINT": mock.url, "AWS_ENDPOINT_URL_STS": sts.url, "AWS_REGION": "us-east-1"]) { $1 }
        // 20 at once: enough to overlap on the agent's one fetch; a hundred, beside the other suites running
        // concurrently on two cores, starved the agent past the launches' 100 ms for its first answer.
        let runs = try (0..<20).map { _ in try Running(Paths.launcher, ["--assume-role", Self.role, "--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID"], environment: env) }
        var results: [RunResult] = []
        for run in runs { results.append(await run.wait(timeout: 60)) }
        #expect(results.allSatisfy { $0.status == 0 }, "\(results.filter { $0.status != 0 }.map { $0.stderr }.prefix(3))")
        #expect(results.allSatisfy { $0.stderr.isEmpty }, "fallbacks: \(results.filter { !$0.stderr.isEmpty }.map { $0.stderr }.prefix(3))")
        #expect(Set(results.map { $0.stdout }).count == 1, "every launch got the same assumed-role keys")
        #expect(sts.requests().count == 1, "STS calls: \(sts.requests().count)")
        #expect(mock.log().count <= 4, "IMDS requests: \(mock.log())")
    }

    @Test func anotherUserGetsNothing() async throws {
        // The directory is 0700 and the socket 0600; both are loosened here so that `nobody` reaches the
        // socket at all, and what refuses it is the agent's SO_PEERCRED check.
        let mock = try await Mock()
        let agent = try await AgentRun()
        let warm = try await launch(["--", "true"], environment: agent.environment.merging(["AWS_EC2_METADATA_SERVICE_ENDPOINT": mock.url]) { $1 })
        #expect(warm.status == 0, "\(warm.stderr)")
        let directory = (agent.socket as NSString).deletingLastPathComponent
        #expect(chmod(directory, 0o711) == 0 && chmod(agent.socket, 0o666) == 0)
        // The same plan as the warm launch, so the agent holds its keys; with the mock gone, nobody's own
        // fallback fetch is refused: any key it printed would have come from the agent.
        let keys = try mock.current()["AccessKeyId"]!
        mock.stop()
        let env = baseEnvironment().merging(agent.environment.merging(["AWS_EC2_METADATA_SERVICE_ENDPOINT": mock.url]) { $1 }) { $1 }
        let result = try await Running("/usr/bin/setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups",
                                                      Paths.launcher, "--", "sh", "-c", "echo key=$AWS_ACCESS_KEY_ID"],
                                 environment: env).wait()
        #expect(result.status == 125, "\(result.stdout) \(result.stderr)")
        #expect(!result.stdout.contains("key="), "nobody's command ran: \(result.stdout)")
        #expect(!result.stdout.contains(keys) && !result.stderr.contains(keys))
        #expect(result.stderr.contains("fetching without the agent"), "\(result.stderr)")
        #expect(await eventually { agent.log().contains("refused a connection from uid 65534") }, "agent log: \(agent.log())")
    }

    @Test func goneOrSilentAgentFallsBackWithOneWarning() async throws {
        let mock = try await Mock()
        let env = ["AWS_EC2_METADATA_SERVICE_ENDPOINT": mock.url]
        let gone = try await launch(["--", "true"], environment: env.merging([AgentProcess.socketVariable: "/nonexistent/agent.sock"]) { $1 })
        #expect(gone.status == 0, "\(gone.stderr)")
        #expect(gone.stderrLines.count == 1 && gone.stderr.contains("fetching without the agent"), "\(gone.stderr)")
        // A listener that never answers: the launch waits 100 ms, then fetches by itself.
        let dir = TempDir()
        let silent = try Socket.listen(unixPath: dir.path("silent.sock"), backlog: 8)
        defer { silent.close() }
        let result = try await launch(["--", "true"], environment: env.merging([AgentProcess.socketVariable: dir.path("silent.sock")]) { $1 })
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderrLines.count == 1 && result.stderr.contains("did not answer in time"), "\(result.stderr)")
        #expect(credentialRequests(mock).count == 4, "two launches fetched by themselves: \(mock.log())")
    }

    @Test func failureIsCachedForAFewSecondsOnly() async throws {
        let sts = try await FakeSTS(error: "AccessDenied:403:not authorized to assume", ["--error-count", "1"])
        let mock = try await Mock()
        let agent = try await AgentRun()
        let env = agent.environment.merging(["AWS_EC2_METADATA_SERVICE_ENDPOINT": mock.url, "AWS_ENDPOINT_URL_STS": sts.url,
                                             "AWS_REGION": "us-east-1"]) { $1 }
        let first = try await launch(["--assume-role", Self.role, "--", "true"], environment: env)
        #expect(first.status == 125)
        #expect(first.stderr.contains("AccessDenied"), "the agent's error reaches the launch: \(first.stderr)")
        let second = try await launch(["--assume-role", Self.role, "--", "true"], environment: env)
        #expect(second.status == 125 && second.stderr.contains("AccessDenied"))
        #expect(sts.requests().count == 1, "the failure was answered from memory")
        var last = second
        #expect(await eventually(timeout: 15) {
            last = (try? await launch(["--assume-role", Self.role, "--", "true"], environment: env)) ?? last
            return last.status == 0
        }, "no success after the failure expired: \(last.stderr)")
        #expect(sts.requests().count == 2)
    }

    @Test func stalledClientsAndHugeRequestsHoldNoOneUp() async throws {
        let mock = try await Mock()
        let agent = try await AgentRun()
        let env = agent.environment.merging(["AWS_EC2_METADATA_SERVICE_ENDPOINT": mock.url]) { $1 }
        let stalled = try (0..<10).map { _ in try Socket.connect(unixPath: agent.socket) }
        let half = try Socket.connect(unixPath: agent.socket)
        try half.sendAll(Array("{\"v\":1,\"op\":".utf8), wait: Wait(millis: 1000, clock: SystemClock()))
        let huge = try Socket.connect(unixPath: agent.socket)
        let big = [UInt8](repeating: UInt8(ascii: "x"), count: 65 * 1024)
        try? huge.sendAll(big, wait: Wait(millis: 2000, clock: SystemClock()))
        let answer = try huge.receive(max: 4096, wait: Wait(millis: 2000, clock: SystemClock()))
        #expect(String(decoding: answer, as: UTF8.self).contains("longer than 64 KiB"))
        let result = try await launch(["--", "true"], environment: env)
        #expect(result.status == 0 && result.stderr.isEmpty, "a stalled client held a launch up: \(result.stderr)")
        let served = try await launch(["--", "true"], environment: env)
        #expect(served.stderr.isEmpty && credentialRequests(mock).count == 2, "\(served.stderr) \(mock.log())")
        // The stalled ones are closed at their deadline: the agent reads nothing more from them.
        #expect(await eventually(timeout: 5) { stalled.allSatisfy { $0.isStale() } && half.isStale() })
    }

    @Test func printsJSONAndStops() async throws {
        let run = try await launch(["--agent", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try JSON.parse(Array(run.stdout.utf8))
        guard case .string(let socket)? = object["socket"], case .number(let pidText)? = object["pid"], let pid = pid_t(pidText) else {
            Issue.record("not the JSON expected: \(run.stdout)"); return
        }
        var st = stat()
        #expect(lstat((socket as NSString).deletingLastPathComponent, &st) == 0 && st.st_mode & 0o777 == 0o700)
        #expect(lstat(socket, &st) == 0 && st.st_mode & 0o777 == 0o600)
        let stop = try await launch(["--agent-stop"], environment: [AgentProcess.socketVariable: socket])
        #expect(stop.status == 0, "\(stop.stderr)")
        #expect(stop.stdout == "unset WITH_ROLE_CREDS_AGENT; unset WITH_ROLE_CREDS_AGENT_PID;\n")
        #expect(!FileManager.default.fileExists(atPath: (socket as NSString).deletingLastPathComponent))
        #expect(await eventually { kill(pid, 0) != 0 || ((try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? "").contains(") Z ") })
    }

    @Test func endsWhenIdleTerminatedOrItsSocketIsRemoved() async throws {
        let idle = try await AgentRun(["--agent-idle", "1s"])
        #expect(await eventually { !idle.isAlive }, "still running after its idle time")
        #expect(!FileManager.default.fileExists(atPath: idle.socket))
        let terminated = try await AgentRun()
        kill(terminated.pid, SIGTERM)
        #expect(await eventually { !terminated.isAlive && !FileManager.default.fileExists(atPath: terminated.socket) })
        let removed = try await AgentRun()
        unlink(removed.socket)
        #expect(await eventually { !removed.isAlive }, "still running without its socket")
    }

    @Test func usesTheUsersRuntimeDirectory() async throws {
        let runtime = TempDir()
        chmod(runtime.url.path, 0o700)
        let agent = try await AgentRun(environment: ["XDG_RUNTIME_DIR": runtime.url.path])
        #expect(agent.socket == runtime.path("with-role-creds/agent.\(agent.pid).sock"))
        var st = stat()
        #expect(lstat(runtime.path("with-role-creds"), &st) == 0 && st.st_mode & 0o777 == 0o700)
    }

    @Test func checkSaysWhereTheCredentialsCameFrom() async throws {
        let mock = try await Mock()
        let agent = try await AgentRun()
        let env = agent.environment.merging(["AWS_EC2_METADATA_SERVICE_ENDPOINT": mock.url]) { $1 }
        let first = try await launch(["--check"], environment: env)
        #expect(first.stdout.contains("agent: \(agent.socket) (fetched now)"), "\(first.stdout)")
        let second = try await launch(["--check"], environment: env)
        #expect(second.stdout.contains("agent: \(agent.socket) (cached, fetched "), "\(second.stdout)")
        let json = try await launch(["--check", "--json"], environment: env)
        #expect(json.stdout.contains("\"agent\":{\"socket\":"), "\(json.stdout)")
    }

    @Test func refusesBadAgentOptions() async throws {
        for (arguments, message) in [(["--agent", "--assume-role", Self.role], "--agent takes only"),
                                     (["--agent-idle", "1m", "--", "true"], "--agent-idle only goes with --agent"),
                                     (["--agent-stop"], "WITH_ROLE_CREDS_AGENT is not set")] {
            let run = try await launch(arguments)
            if run.status == 0, case let vars = AgentRun.variables(run.stdout), let pid = vars[AgentProcess.pidVariable].flatMap(pid_t.init) {
                kill(pid, SIGTERM)   // an agent that should never have started
            }
            #expect(run.status == 125 && run.stderrLines.count == 1 && run.stderr.contains(message), "\(arguments): \(run.stderr)")
        }
        let relative = try await launch(["--", "true"], environment: [AgentProcess.socketVariable: "agent.sock"])
        #expect(relative.status == 125 && relative.stderr.contains("absolute path"), "\(relative.stderr)")
    }

    @Test func rotationRefreshesThroughTheAgent() async throws {
        let mock = try await Mock(["--rotate", "2", "--lifetime", "60"])
        let agent = try await AgentRun()
        let dir = TempDir()
        let script = "echo \"$AWS_ACCESS_KEY_ID\" >> \(dir.path("starts")); trap 'exit 42' TERM; while :; do sleep 0.05; done"
        let env = baseEnvironment().merging(agent.environment.merging(["AWS_EC2_METADATA_SERVICE_ENDPOINT": mock.url]) { $1 }) { $1 }
        // -v: a fetch of the launch's own would log its IMDS requests.
        let run = try Running(Paths.launcher, ["-v", "--on-rotate", "restart", "--refresh-before", "58s", "--", "sh", "-c", script],
                              environment: env)
        #expect(await eventually(timeout: 25) { lines(dir.path("starts")).count >= 2 || !run.isRunning })
        kill(run.pid, SIGTERM)
        let result = await run.wait()
        let starts = lines(dir.path("starts"))
        #expect(starts.count >= 2 && Set(starts).count == starts.count, "\(starts)")
        #expect(!result.stderr.contains("IMDS:") && !result.stderr.contains("without the agent"), "the launch fetched by itself: \(result.stderr)")
        #expect(agent.log().contains("IMDS: GET"), "the agent fetched: \(agent.log())")
    }

    @Test func servedLaunchLeaksNothing() async throws {
        let mock = try await Mock()
        let dir = TempDir()
        let trace = dir.path("agent-trace")
        let env = baseEnvironment().merging(["AWS_EC2_METADATA_SERVICE_ENDPOINT": mock.url]) { $1 }
        // The agent traced from its start: strace -f follows the process `--agent` spawns.
        let tracer = try Running("/usr/bin/strace", ["-f", "-qq", "-v", "-yy", "-s", "100000", "-e", "trace=\(tracedCalls)", "-o", trace,
                                                     Paths.launcher, "--agent"], environment: env)
        var variables: [String: String] = [:]
        #expect(await eventually(timeout: 20) {
            variables = AgentRun.variables((try? String(contentsOfFile: tracer.dir.path("out"), encoding: .utf8)) ?? "")
            return variables[AgentProcess.pidVariable] != nil
        })
        let launchEnv = env.merging(variables) { $1 }
        let first = try await launch(["--", "true"], environment: launchEnv)
        let (served, launchTrace) = try await traced([Paths.launcher, "--", "true"], environment: launchEnv)
        #expect(first.status == 0 && served.status == 0, "\(first.stderr) \(served.stderr)")
        _ = try await launch(["--agent-stop"], environment: launchEnv)
        _ = await tracer.wait(timeout: 20)
        let agentTrace = lines(trace)
        let secrets = try SecretsTests().secrets(mock)
        let answer = { (line: String) in line.contains("UNIX-STREAM") && line.contains("\\\"status\\\":\\\"ok\\\"") }
        #expect(agentTrace.contains { answer($0) && $0.contains(secrets[0]) }, "the agent's answer should carry the keys (is strace -yy working?)")
        #expect(launchTrace.contains { isCommandExecve($0) && $0.contains(secrets[0]) }, "the command's execve should carry the keys")
        for secret in secrets {
            #expect(misplaced(agentTrace, secret, allowed: answer).isEmpty, "\(misplaced(agentTrace, secret, allowed: answer))")
            #expect(misplaced(launchTrace, secret, allowed: isCommandExecve).isEmpty, "\(misplaced(launchTrace, secret, allowed: isCommandExecve))")
        }
        #expect(fileCreations(agentTrace).isEmpty && fileCreations(launchTrace).isEmpty, "\(fileCreations(agentTrace)) \(fileCreations(launchTrace))")
    }
}
