import Foundation
import Glibc
import Testing
@testable import RoleCreds

/// `credential_process` end to end (spec §9): helpers written here as shell scripts, run by the launcher
/// from a profile of a temporary config file. Every run also names a refused loopback STS and disables
/// IMDS, so nothing can leave the machine.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct CredentialProcessLaunchTests {
    static let secret = "procSecretKEY/abcdef0123456789"
    static let token = "procSessionTOKEN/zyxw9876543210"

    /// A directory with an executable `helper` (`script`, a /bin/sh body) and a config whose profile
    /// `p` runs it with `arguments`.
    static func setUp(_ script: String, arguments: String = "") throws -> TempDir {
        let dir = TempDir()
        try ("#!/bin/sh\n" + script + "\n").write(toFile: dir.path("helper"), atomically: true, encoding: .utf8)
        chmod(dir.path("helper"), 0o755)
        try "[profile p]\ncredential_process = \(dir.path("helper")) \(arguments)\n".write(toFile: dir.path("config"), atomically: true, encoding: .utf8)
        return dir
    }

    static func environment(_ dir: TempDir) -> [String: String] {
        ["AWS_CONFIG_FILE": dir.path("config"), "AWS_SHARED_CREDENTIALS_FILE": dir.path("credentials"),
         "AWS_PROFILE": "p", "AWS_EC2_METADATA_DISABLED": "true"]
    }

    /// A shell line printing good `Version: 1` JSON with key `ASIAPROCESS` + `$1`, expiring `$2` seconds from now.
    static func goodJSON(key: String = "ASIAPROCESSKEY00001", inSeconds: String = "7200") -> String {
        "printf '{\"Version\": 1, \"AccessKeyId\": \"%s\", \"SecretAccessKey\": \"\(secret)\", \"SessionToken\": \"\(token)\", \"Expiration\": \"%s\"}' "
            + "\"\(key)\" \"$(date -u -d \"+\(inSeconds) seconds\" +%Y-%m-%dT%H:%M:%SZ)\""
    }

    @Test func helperCredentialsReachTheCommandAndStaleOnesNotTheHelper() async throws {
        let dir = try Self.setUp("""
            echo "helper: $# args: $1|$2" >&2
            env > "$(dirname "$0")/helper-env"
            \(Self.goodJSON())
            """, arguments: "--flag 'two words'")
        var env = Self.environment(dir)
        env["AWS_ACCESS_KEY_ID"] = "AKIASTALEKEY0000000"
        env["AWS_SECRET_ACCESS_KEY"] = "staleSecret"
        env["KEEP_ME"] = "1"
        let result = try await launch(["--", "env"], environment: env)
        #expect(result.status == 0, "\(result.stderr)")
        let childEnv = parseEnv(result.stdout)
        #expect(childEnv["AWS_ACCESS_KEY_ID"] == ["ASIAPROCESSKEY00001"])
        #expect(childEnv["AWS_SECRET_ACCESS_KEY"] == [Self.secret])
        #expect(childEnv["AWS_SESSION_TOKEN"] == [Self.token])
        // The helper's stderr reaches the user; its argv was split as shlex does.
        #expect(result.stderr.contains("helper: 2 args: --flag|two words"), "\(result.stderr)")
        let helperEnv = parseEnv(try String(contentsOfFile: dir.path("helper-env"), encoding: .utf8))
        #expect(helperEnv["AWS_ACCESS_KEY_ID"] == nil && helperEnv["AWS_SECRET_ACCESS_KEY"] == nil)
        #expect(helperEnv["KEEP_ME"] == ["1"] && helperEnv["AWS_PROFILE"] == ["p"])
    }

    @Test func badOutputIsOneLineWithoutTheOutput() async throws {
        // Not JSON, with the secret in it, and the helper's own error output naming nothing of ours.
        let dir = try Self.setUp("echo 'AccessKeyId=ASIAX SecretAccessKey=\(Self.secret)'")
        let result = try await launch(["--", "true"], environment: Self.environment(dir))
        #expect(result.status == 125)
        #expect(result.stderrLines == ["with-role-creds: credential_process output is not valid JSON"], "\(result.stderr)")
        #expect(!result.stderr.contains(Self.secret))
    }

    @Test func wrongVersionIsRefused() async throws {
        let dir = try Self.setUp(Self.goodJSON().replacingOccurrences(of: "\"Version\": 1", with: "\"Version\": 2"))
        let result = try await launch(["--", "true"], environment: Self.environment(dir))
        #expect(result.status == 125)
        #expect(result.stderrLines == ["with-role-creds: credential_process output has an unsupported Version (it must be 1)"], "\(result.stderr)")
    }

    @Test func nonZeroExitIsOneLineAndStdoutIsNotShown() async throws {
        let dir = try Self.setUp("\(Self.goodJSON())\necho 'token expired, log in again' >&2\nexit 3")
        let result = try await launch(["--", "true"], environment: Self.environment(dir))
        #expect(result.status == 125)
        #expect(result.stderrLines.last == "with-role-creds: credential_process \(dir.path("helper")) exited with status 3", "\(result.stderr)")
        #expect(result.stderr.contains("token expired, log in again"))
        #expect(!result.stderr.contains(Self.secret) && !result.stderr.contains("ASIAPROCESSKEY00001"))
    }

    @Test func helperIgnoringTermIsKilledAtTheDeadline() async throws {
        let dir = try Self.setUp("trap '' TERM\necho $$ > \"$(dirname \"$0\")/pid\"\nwhile :; do sleep 1; done")
        let result = try await launch(["--timeout", "100ms", "--attempts", "1", "--", "true"], environment: Self.environment(dir), timeout: 60)
        #expect(result.status == 125)
        #expect(result.stderrLines == ["with-role-creds: credential_process \(dir.path("helper")) did not finish in time; stopped it (SIGTERM, then SIGKILL)"],
                "\(result.stderr)")
        let pid = pid_t((try? String(contentsOfFile: dir.path("pid"), encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
        #expect(pid > 0 && kill(pid, 0) != 0, "the helper \(pid) is still there")
    }

    @Test func grandchildHoldingStdoutDoesNotHoldTheStart() async throws {
        // The helper leaves a grandchild with its stdout for 60 s; the launcher goes on when the helper exits.
        let dir = try Self.setUp("(sleep 60 &)\n\(Self.goodJSON())")
        let result = try await launch(["--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID"], environment: Self.environment(dir), timeout: 45)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "ASIAPROCESSKEY00001\n")
    }

    @Test func restartRotationRunsTheHelperAgainWhileTheSupervisorRuns() async throws {
        // Credentials for 62 s refreshed 58 s early: the helper runs again on the refresh thread every few
        // seconds while the supervisor reaps and restarts the command. Each run numbers its key.
        let dir = try Self.setUp("""
            n=$(cat "$(dirname "$0")/count" 2>/dev/null || echo 0); n=$((n + 1)); echo $n > "$(dirname "$0")/count"
            \(Self.goodJSON(key: "ASIAPROCESSKEY0000$n", inSeconds: "62"))
            """)
        let keys = dir.path("keys")
        let run = try Running(Paths.launcher, ["-q", "--on-rotate", "restart", "--refresh-before", "58s", "--",
                                               "sh", "-c", "echo $AWS_ACCESS_KEY_ID >> \(keys); exec sleep 60"],
                              environment: baseEnvironment().merging(Self.environment(dir)) { $1 })
        #expect(await eventually(timeout: 40) { lines(keys).count >= 2 }, "keys: \(lines(keys))")
        kill(run.pid, SIGTERM)
        let result = await run.wait()
        #expect(result.signal == SIGTERM || result.status == 143, "\(result)")
        #expect(Array(lines(keys).prefix(2)) == ["ASIAPROCESSKEY00001", "ASIAPROCESSKEY00002"], "\(lines(keys)) \(result.stderr)")
        #expect(!result.stderr.contains("credential_process"), "\(result.stderr)")
    }

    @Test func secretFromTheHelperGoesOnlyToTheCommandsExecve() async throws {
        let dir = try Self.setUp(Self.goodJSON())
        let (result, trace) = try await traced([Paths.launcher, "-v", "--", "true"], environment: Self.environment(dir))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(trace.contains { isCommandExecve($0) && $0.contains("/true") && $0.contains(Self.secret) },
                "the command's execve should carry the secret")
        // The helper's own write of its answer is the one other place the secret may be: find its pid.
        let helperPids = Set(trace.filter { $0.contains("execve(\"\(dir.path("helper"))\"") }.compactMap { $0.split(separator: " ").first.map(String.init) })
        #expect(!helperPids.isEmpty)
        let elsewhere = leaks(trace, [Self.secret, Self.token]).filter { line in !helperPids.contains(where: { line.hasPrefix($0 + " ") }) }
        #expect(elsewhere.isEmpty, "\(elsewhere)")
        #expect(fileCreations(trace).isEmpty, "\(fileCreations(trace))")
    }
}
