import Foundation
import Testing
@testable import RoleCreds

/// The launcher end to end on IMDSv2 against the mock on 127.0.0.1.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct IMDSLaunchTests {
    @Test func childEnvironmentCarriesTheMocksCredentials() async throws {
        let mock = try await Mock()
        // The profile AWS_PROFILE names must exist (spec §8); it holds no role chain, so IMDS is still asked.
        let dir = TempDir()
        try "[profile stale-profile]\noutput = json\n".write(toFile: dir.path("config"), atomically: true, encoding: .utf8)
        // The mock's expiration follows its clock (never less than a second ago plus the lifetime): the
        // child's lies between what the mock said before the run and after it.
        let before = try mock.current()
        let result = try await launch(["--imds-endpoint", mock.url, "--", "env"], environment: [
            "AWS_CONFIG_FILE": dir.path("config"), "AWS_SHARED_CREDENTIALS_FILE": dir.path("none"),
            "AWS_PROFILE": "stale-profile", "AWS_ACCESS_KEY_ID": "AKIASTALEKEY", "AWS_SECRET_ACCESS_KEY": "stale-secret",
            "AWS_SESSION_TOKEN": "stale-token", "AWS_DEFAULT_PROFILE": "other", "AWS_ROLE_ARN": "arn:aws:iam::1:role/x",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let expected = try mock.current()
        let env = parseEnv(result.stdout)
        #expect(env["AWS_ACCESS_KEY_ID"] == [expected["AccessKeyId"]!])
        #expect(env["AWS_SECRET_ACCESS_KEY"] == [expected["SecretAccessKey"]!])
        #expect(env["AWS_SESSION_TOKEN"] == [expected["Token"]!])
        #expect(env["AWS_SECURITY_TOKEN"] == [expected["Token"]!])
        let expiration = try #require(env["AWS_CREDENTIAL_EXPIRATION"]?.first)
        #expect(env["AWS_CREDENTIAL_EXPIRATION"]?.count == 1)
        #expect(before["Expiration"]! <= expiration && expiration <= expected["Expiration"]!, "\(expiration)")
        #expect(env["AWS_ACCOUNT_ID"] == ["123456789012"])
        #expect(env["AWS_REGION"] == ["eu-west-1"])
        #expect(env["AWS_DEFAULT_REGION"] == ["eu-west-1"])
        #expect(env["AWS_PROFILE"] == nil)
        #expect(env["AWS_DEFAULT_PROFILE"] == nil)
        #expect(env["AWS_ROLE_ARN"] == nil)
        #expect(env.allSatisfy { $0.value.count == 1 }, "a variable appears twice")
        #expect(result.stderr.isEmpty)
    }

    @Test func anInheritedRegionIsKeptAndCopied() async throws {
        let mock = try await Mock()
        let result = try await launch(["--imds-endpoint", mock.url, "--", "env"], environment: ["AWS_REGION": "ap-south-2"])
        #expect(result.status == 0, "\(result.stderr)")
        let env = parseEnv(result.stdout)
        #expect(env["AWS_REGION"] == ["ap-south-2"])
        #expect(env["AWS_DEFAULT_REGION"] == ["ap-south-2"])
        #expect(!mock.log().contains { $0.contains("/placement/region") }, "region fetched although set")
    }

    @Test func noRegionLeavesRegionAlone() async throws {
        let mock = try await Mock()
        let result = try await launch(["--no-region", "--imds-endpoint", mock.url, "--", "env"])
        #expect(result.status == 0)
        #expect(parseEnv(result.stdout)["AWS_REGION"] == nil)
        #expect(mock.log().count == 3)
    }

    @Test func v2OnlyMockSeesOneTokenAndFourRequestsOnOneConnection() async throws {
        let mock = try await Mock(["--mode", "v2"])
        let result = try await launch(["--imds-endpoint", mock.url, "--", "true"])
        #expect(result.status == 0, "\(result.stderr)")
        let log = mock.log()
        #expect(log.count == 4, "\(log)")
        #expect(log.filter { $0.contains(" PUT /latest/api/token") }.count == 1)
        #expect(log.filter { $0.contains(" GET ") }.allSatisfy { $0.contains("token=yes") && $0.hasSuffix("-> 200") })
        #expect(Set(log.map { $0.split(separator: " ")[0] }) == ["conn=1"], "more than one connection: \(log)")
    }

    @Test func roleGivenSkipsDiscovery() async throws {
        let mock = try await Mock()
        let result = try await launch(["--role", "mock-role", "--imds-endpoint", mock.url, "--", "true"])
        #expect(result.status == 0)
        #expect(mock.log().count == 3)
        #expect(!mock.log().contains { $0.contains("security-credentials/ ") })
    }

    @Test func endpointFromEnvironmentVariable() async throws {
        let mock = try await Mock()
        let result = try await launch(["--", "true"], environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": mock.url + "/"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(mock.log().count == 4)
    }

    @Test func missingExtendedPathFallsBackQuietly() async throws {
        let mock = try await Mock(["--no-extended"])
        let result = try await launch(["--imds-endpoint", mock.url, "--", "env"])
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty, "\(result.stderr)")
        let env = parseEnv(result.stdout)
        #expect(env["AWS_ACCESS_KEY_ID"] == [try mock.current()["AccessKeyId"]!])
        #expect(env["AWS_ACCOUNT_ID"] == nil)
    }

    @Test func refusedTokenIsFetchedAgainOnce() async throws {
        // The role list answers 401 as if the session token had expired: one new token, then success.
        let mock = try await Mock(["--fault", "unauthorized:1"])
        let result = try await launch(["--imds-endpoint", mock.url, "--", "true"])
        #expect(result.status == 0, "\(result.stderr)")
        let log = mock.log()
        #expect(log.filter { $0.contains("PUT /latest/api/token") }.count == 2, "\(log)")
        #expect(log.filter { $0.hasSuffix("-> 401") }.count == 1, "\(log)")
    }

    @Test func shortTokenTTLFromTheServerIsHonoured() async throws {
        // The mock grants 1 s tokens and says so in its TTL header; the launcher still works.
        let mock = try await Mock(["--token-ttl", "1"])
        let result = try await launch(["--imds-endpoint", mock.url, "--", "true"])
        #expect(result.status == 0, "\(result.stderr)")
    }

    // MARK: IMDSv1 policy

    @Test func v1OnlyIsRefusedWithoutTheFlag() async throws {
        let mock = try await Mock(["--mode", "v1"])
        let result = try await launch(["--imds-endpoint", mock.url, "--", "true"])
        #expect(result.status == 125)
        #expect(result.stderrLines.count == 1)
        #expect(result.stderr.contains("IMDSv1") && result.stderr.contains("--allow-imdsv1"), "\(result.stderr)")
    }

    @Test func v1OnlyWorksWithTheFlag() async throws {
        let mock = try await Mock(["--mode", "v1"])
        let result = try await launch(["-q", "--allow-imdsv1", "--imds-endpoint", mock.url, "--", "env"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(parseEnv(result.stdout)["AWS_ACCESS_KEY_ID"] == [try mock.current()["AccessKeyId"]!])
        #expect(mock.log().filter { $0.contains(" GET ") }.allSatisfy { $0.contains("token=no") })
    }

    @Test func v1DisabledWinsOverTheFlag() async throws {
        let mock = try await Mock(["--mode", "v1"])
        let result = try await launch(["--allow-imdsv1", "--imds-endpoint", mock.url, "--", "true"],
                                environment: ["AWS_EC2_METADATA_V1_DISABLED": "TRUE"])
        #expect(result.status == 125)
        #expect(result.stderr.contains("AWS_EC2_METADATA_V1_DISABLED"), "\(result.stderr)")
        #expect(!mock.log().contains { $0.contains(" GET ") })
    }

    @Test func disabledMetadataNeverConnects() async throws {
        let result = try await launch(["--", "true"], environment: ["AWS_EC2_METADATA_DISABLED": "True"])
        #expect(result.status == 125)
        #expect(result.stderr.contains("AWS_EC2_METADATA_DISABLED"))
    }

    @Test func tokenCallWithoutAnswerNamesTheHopLimit() async throws {
        let mock = try await Mock(["--fault", "token-stall"])
        let result = try await launch(["--timeout", "300ms", "--imds-endpoint", mock.url, "--", "true"])
        #expect(result.status == 125)
        #expect(result.stderr.contains("hop limit"), "\(result.stderr)")
        #expect(mock.log().filter { $0.contains("PUT") }.count == 3, "token PUT retried \(mock.log())")
    }

    @Test func hopLimitFallsBackToV1WhenAllowed() async throws {
        let mock = try await Mock(["--fault", "token-stall", "--mode", "both"])
        let result = try await launch(["-q", "--allow-imdsv1", "--timeout", "300ms", "--imds-endpoint", mock.url, "--", "true"])
        #expect(result.status == 0, "\(result.stderr)")
    }

    // MARK: exit statuses and the child's I/O

    @Test(arguments: [
        (["sh", "-c", "exit 7"], Int32(7)),
        (["sh", "-c", "exit 0"], Int32(0)),
        (["no-such-command-wrc"], Int32(127)),
        (["/etc/hostname"], Int32(126)),
        (["/"], Int32(126)),
    ])
    func exitStatus(command: [String], expected: Int32) async throws {
        let mock = try await Mock()
        let result = try await launch(["--imds-endpoint", mock.url, "--"] + command)
        #expect(result.signal == nil)
        #expect(result.status == expected, "\(result.stderr)")
        if expected >= 126 {
            #expect(result.stderrLines.count == 1)
            #expect(result.stderr.hasPrefix("with-role-creds: "))
        }
    }

    @Test func childKilledBySignalKillsTheLauncherTheSameWay() async throws {
        let mock = try await Mock()
        let result = try await launch(["--imds-endpoint", mock.url, "--", "sh", "-c", "kill -TERM $$"])
        #expect(result.signal == SIGTERM)
        let segv = try await launch(["--imds-endpoint", mock.url, "--", "sh", "-c", "kill -SEGV $$"])
        #expect(segv.signal == SIGSEGV)
    }

    @Test func stdinAndStdoutPassThrough() async throws {
        let mock = try await Mock()
        let input = (0..<2000).map { "line \($0)\n" }.joined()
        let result = try await launch(["--imds-endpoint", mock.url, "--", "cat"], stdin: input)
        #expect(result.status == 0)
        #expect(result.stdout == input)
    }

    @Test func execReplacesTheLauncher() async throws {
        let mock = try await Mock()
        let result = try await launch(["--exec", "--imds-endpoint", mock.url, "--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID; kill -USR1 $$"])
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == (try mock.current()["AccessKeyId"]!))
        #expect(result.signal == SIGUSR1)
        let missing = try await launch(["--exec", "--imds-endpoint", mock.url, "--", "no-such-command-wrc"])
        #expect(missing.status == 127)
    }

    @Test(arguments: [SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGINT, SIGQUIT])
    func signalsReachTheChild(signal: Int32) async throws {
        let mock = try await Mock()
        let dir = TempDir()
        let name = SignalName.name(signal).dropFirst(3)
        let script = "trap 'echo got-\(name) > \(dir.path("got")); exit 3' \(name); touch \(dir.path("ready")); while :; do sleep 0.05; done"
        let run = try Running(Paths.launcher, ["--imds-endpoint", mock.url, "--", "sh", "-c", script],
                              environment: baseEnvironment())
        #expect(await run.waitFor(file: dir.path("ready")))
        kill(run.pid, signal)
        let result = await run.wait()
        #expect(result.status == 3, "\(result.stderr)")
        #expect((try? String(contentsOfFile: dir.path("got"), encoding: .utf8)) == "got-\(name)\n")
    }

    @Test func launcherEnvironAndMemoryHoldNoSecretWhileChildRuns() async throws {
        let mock = try await Mock()
        let dir = TempDir()
        let run = try Running(Paths.launcher, ["--imds-endpoint", mock.url, "--", "sh", "-c", "touch \(dir.path("ready")); sleep 30"],
                              environment: baseEnvironment())
        defer { kill(run.pid, SIGKILL) }  // reaped by `run` going away
        #expect(await run.waitFor(file: dir.path("ready")))
        let current = try mock.current()
        let environ = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(run.pid)/environ"))
        let text = String(decoding: environ, as: UTF8.self)
        #expect(text.contains("AWS_EC2_METADATA_SERVICE_ENDPOINT="), "not the launcher's environment: \(text.count) bytes")
        #expect(!text.contains(current["SecretAccessKey"]!))
        #expect(!text.contains(current["Token"]!))
        #expect(!text.contains("AWS_ACCESS_KEY_ID"))
    }

    /// PR_SET_DUMPABLE 0 as another process of the same user sees it: the launcher's environment
    /// and memory are closed to it, while its own command's (dumpable) are open.
    @Test func anotherProcessOfTheSameUserCannotReadTheLaunchersEnvironment() async throws {
        let mock = try await Mock()
        let dir = TempDir()
        chmod(dir.url.path, 0o777)
        // Launcher and reader both run as nobody, so only dumpability stands between them.
        let nobody = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]
        let run = try Running(nobody[0], Array(nobody.dropFirst()) + [Paths.launcher, "--imds-endpoint", mock.url, "--", "sh", "-c",
                                                                      "echo $$ > \(dir.path("child")); sleep 30"],
                              environment: baseEnvironment())
        defer { kill(run.pid, SIGKILL) }  // reaped by `run` going away
        #expect(await run.waitFor(file: dir.path("child")))
        #expect(await eventually { lines(dir.path("child")).first.flatMap { pid_t($0) } != nil })
        let child = try #require(lines(dir.path("child")).first.flatMap { pid_t($0) })
        func readAsNobody(_ pid: pid_t) async throws -> RunResult {
            try await Running(nobody[0], Array(nobody.dropFirst()) + ["/bin/cat", "/proc/\(pid)/environ"], environment: baseEnvironment()).wait()
        }
        let launcher = try await readAsNobody(run.pid)
        #expect(launcher.status != 0, "nobody read the launcher's environment")
        #expect(launcher.stderr.contains("Permission denied"), "\(launcher.stderr)")
        let control = try await readAsNobody(child)
        #expect(control.status == 0, "the command's environment should be readable to its own user: \(control.stderr)")
        #expect(control.stdout.contains("AWS_ACCESS_KEY_ID="))
    }

    // MARK: failures

    @Test(arguments: [
        ("500", "answered 500"),
        ("json", "not valid JSON"),
        ("code", "AssumeRoleUnauthorizedAccess"),
        ("oversized", "over the limit"),
        ("no-role", "no IAM role is attached"),
        ("drop", "cannot reach IMDS"),
        ("stall", "no answer before the deadline"),
        ("trickle", "no answer before the deadline"),
        ("blackhole", "hop limit"),
    ])
    func failuresExit125WithOneCleanLine(fault: String, message: String) async throws {
        let mock = try await Mock(["--fault", fault])
        let secret = try mock.current()["SecretAccessKey"]!
        let token = try mock.current()["Token"]!
        let result = try await launch(["--imds-endpoint", mock.url, "--", "true"], timeout: 20)
        #expect(result.status == 125, "\(fault): \(result.stderr)")
        #expect(result.stderrLines.count == 1, "\(fault): \(result.stderr)")
        #expect(result.stderr.hasPrefix("with-role-creds: "))
        #expect(result.stderr.contains(message), "\(fault): \(result.stderr)")
        #expect(!result.stderr.contains(secret) && !result.stderr.contains(token) && !result.stderr.contains("mockSecret"))
        #expect(!result.stderr.contains("{"), "a body was echoed: \(result.stderr)")
    }

    @Test func refusedEndpointFailsFast() async throws {
        let result = try await launch(["--imds-endpoint", "http://127.0.0.1:9", "--", "true"])
        #expect(result.status == 125)
        #expect(result.stderr.contains("cannot reach IMDS at http://127.0.0.1:9"), "\(result.stderr)")
        #expect(result.stderrLines.count == 1)
    }

    @Test func listenerThatNeverAnswersEndsWithinTenSeconds() async throws {
        // A bare listening socket that accepts nothing and answers nothing.
        let listener = try Socket.listen(host: "127.0.0.1", port: 0, backlog: 1)
        let result = try await launch(["--imds-endpoint", "http://127.0.0.1:\(listener.localPort())", "--", "true"], timeout: 20)
        #expect(result.status == 125)
        #expect(result.stderrLines.count == 1)
        #expect(result.stderr.contains("timed out"), "\(result.stderr)")
    }

    @Test func transientFailuresAreRetried() async throws {
        let mock = try await Mock(["--no-extended", "--fault", "500:2"])
        let result = try await launch(["--imds-endpoint", mock.url, "--", "true"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(mock.log().filter { $0.hasSuffix("-> 500") }.count == 2)
    }

    @Test(arguments: [
        (["--timeout", "soon", "--", "true"], "--timeout"),
        (["--bogus", "--", "true"], "unknown option"),
        ([String](), "no command"),
        (["--source", "cloud", "--", "true"], "--source"),
    ])
    func usageErrorsExit125(arguments: [String], message: String) async throws {
        let result = try await launch(arguments)
        #expect(result.status == 125)
        #expect(result.stderrLines.count == 1)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test(arguments: [
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv5"),
        ("AWS_METADATA_SERVICE_TIMEOUT", "soon"),
        ("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "0"),
        ("AWS_EC2_METADATA_V1_DISABLED", "maybe"),
        ("AWS_EC2_INSTANCE_PROFILE_NAME", "bad/role"),
    ])
    func badEnvironmentIsRefusedBeforeAnyConnection(name: String, value: String) async throws {
        let mock = try await Mock()
        var env = [name: value]
        if name == "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE" { env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = "" }
        let result = try await launch(name == "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE" ? ["--", "true"] : ["--imds-endpoint", mock.url, "--", "true"],
                                environment: env)
        #expect(result.status == 125)
        #expect(result.stderr.contains(name), "\(result.stderr)")
        #expect(mock.log().isEmpty)
    }

    @Test func checkPrintsASummaryWithoutSecrets() async throws {
        let mock = try await Mock()
        let result = try await launch(["--check", "--imds-endpoint", mock.url])
        let current = try mock.current()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("source: imds"))
        #expect(result.stdout.contains("role: mock-role"))
        #expect(result.stdout.contains("account: 123456789012"))
        #expect(result.stdout.contains("region: eu-west-1"))
        #expect(result.stdout.contains("ASIA…"))
        #expect(!result.stdout.contains(current["AccessKeyId"]!))
        #expect(!result.stdout.contains(current["SecretAccessKey"]!) && !result.stdout.contains(current["Token"]!))
    }

    @Test func verboseSaysWhatIsFetchedWithoutSecrets() async throws {
        let mock = try await Mock()
        let result = try await launch(["-v", "--imds-endpoint", mock.url, "--", "true"])
        let current = try mock.current()
        #expect(result.status == 0)
        #expect(result.stderr.contains("/latest/api/token"))
        #expect(!result.stderr.contains(current["SecretAccessKey"]!) && !result.stderr.contains(current["Token"]!))
        #expect(!result.stderr.contains("mocktoken-"), "the IMDS session token was logged")
    }

    @Test func helpAndVersion() async throws {
        let help = try await launch(["--help"])
        #expect(help.status == 0 && help.stdout.contains("Usage: with-role-creds"))
        let version = try await launch(["--version"])
        #expect(version.status == 0 && version.stdout.hasPrefix("with-role-creds "))
    }
}
