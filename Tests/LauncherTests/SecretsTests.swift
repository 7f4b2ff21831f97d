import Foundation
import Testing
@testable import RoleCreds

/// The syscalls that could carry a secret out of the launcher, or create a file.
let tracedCalls = "write,writev,pwrite64,sendto,sendmsg,openat,creat,rename,execve"

/// Runs `arguments` under `strace -f` and returns the trace, one syscall a line; descriptors are shown
/// with what they are (`-yy`: a socket as `TCP:[LOCAL->PEER]`), so a send names where it went.
func traced(_ arguments: [String], environment: [String: String] = [:], timeout: Double = 60) async throws -> (RunResult, [String]) {
    let dir = TempDir()
    let trace = dir.path("trace")
    let env = baseEnvironment().merging(["PYTHONDONTWRITEBYTECODE": "1"].merging(environment) { $1 }) { $1 }
    let result = try await Running("/usr/bin/strace", ["-f", "-qq", "-v", "-yy", "-s", "100000", "-e", "trace=\(tracedCalls)", "-o", trace] + arguments,
                             environment: env).wait(timeout: timeout)
    return (result, lines(trace))
}

/// The lines of a trace that carry `secrets` where they must not: anywhere but an `execve` (the
/// child's environment) and the credential endpoint's 200 answer (to the token holder).
func leaks(_ trace: [String], _ secrets: [String]) -> [String] {
    trace.filter { line in
        guard secrets.contains(where: { line.contains($0) }) else { return false }
        if line.contains("execve(") { return false }
        if line.contains("HTTP/1.1 200 OK") && line.contains("AccessKeyId") { return false }
        return true
    }
}

/// A traced call that puts bytes on a TCP connection whose local or peer end is `127.0.0.1:port`:
/// `to` for a client's request, `from` for a server's answer.
func isSend(_ line: String, to port: UInt16) -> Bool {
    isSendCall(line) && line.contains("->127.0.0.1:\(port)]>")
}
func isSend(_ line: String, from port: UInt16) -> Bool {
    isSendCall(line) && line.contains("TCP:[127.0.0.1:\(port)->")
}
private func isSendCall(_ line: String) -> Bool {
    [" sendto(", " write(", " writev(", " sendmsg(", " pwrite64("].contains { line.contains($0) }
}

/// An `execve` of the command (or what it runs), not the launcher's own.
func isCommandExecve(_ line: String) -> Bool {
    line.contains(" execve(") && !line.contains("execve(\"\(Paths.launcher)\"")
}

/// The lines of `trace` that carry `secret` and are not `allowed`.
func misplaced(_ trace: [String], _ secret: String, allowed: (String) -> Bool) -> [String] {
    trace.filter { $0.contains(secret) && !allowed($0) }
}

/// The value of `name=` in the command's traced environment.
func tracedEnvironment(_ trace: [String], _ name: String) -> String? {
    guard let line = trace.first(where: isCommandExecve), let start = line.range(of: "\"\(name)=") else { return nil }
    return String(line[start.upperBound...].prefix { $0 != "\"" })
}

/// Calls that create, truncate or rename a file (opening /dev/null for writing is not one).
func fileCreations(_ trace: [String]) -> [String] {
    trace.filter { ($0.contains("O_CREAT") && !$0.contains("\"/dev/null\"")) || $0.contains("creat(") || $0.contains("rename(") }
}

/// Secrets never leave the child; the launcher is closed to other processes.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct SecretsTests {
    func secrets(_ mock: Mock) throws -> [String] {
        let current = try mock.current()
        return [current["SecretAccessKey"]!, current["Token"]!, "mockSecret/", "mockSessionToken/"]
    }

    @Test func plainRunLeaksNothing() async throws {
        let mock = try await Mock()
        let (result, trace) = try await traced([Paths.launcher, "-v", "--imds-endpoint", mock.url, "--", "true"])
        let secrets = try secrets(mock)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(trace.contains { $0.contains("execve(") && $0.contains("/true") && $0.contains(secrets[0]) },
                "the child's execve should carry the keys (is strace -v working?)")
        #expect(leaks(trace, secrets).isEmpty, "\(leaks(trace, secrets))")
        #expect(fileCreations(trace).isEmpty, "\(fileCreations(trace))")
    }

    @Test func serveRunLeaksOnlyToTheTokenHolder() async throws {
        let mock = try await Mock()
        let client = """
        import os, urllib.request
        req = urllib.request.Request(os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"],
                                     headers={"Authorization": os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]})
        body = urllib.request.urlopen(req).read()
        print("bytes", len(body) > 100)
        """
        let (result, trace) = try await traced([Paths.launcher, "-v", "--serve", "--imds-endpoint", mock.url, "--", "python3", "-B", "-c", client])
        let secrets = try secrets(mock)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "bytes True\n")
        #expect(trace.contains { $0.contains("HTTP/1.1 200 OK") && $0.contains(secrets[0]) }, "no endpoint answer traced")
        #expect(leaks(trace, secrets).isEmpty, "\(leaks(trace, secrets))")
        #expect(fileCreations(trace).isEmpty, "\(fileCreations(trace))")
    }

    @Test func rotationWithRestartLeaksNothing() async throws {
        let mock = try await Mock(["--rotate", "2", "--lifetime", "60"])
        let first = try secrets(mock)
        let (result, trace) = try await traced(["/usr/bin/timeout", "-s", "TERM", "8", Paths.launcher, "-v", "--on-rotate", "restart",
                                          "--refresh-before", "58s", "--imds-endpoint", mock.url, "--", "sleep", "30"])
        let all = first + (try secrets(mock))
        #expect(result.status == 124 || result.signal == SIGTERM || result.status == 143, "\(result)")
        #expect(trace.filter { $0.contains("execve(") && $0.contains("sleep") }.count >= 2, "no restart traced")
        #expect(leaks(trace, all).isEmpty, "\(leaks(trace, all))")
        #expect(fileCreations(trace).isEmpty, "\(fileCreations(trace))")
    }

    @Test(arguments: ["500", "json", "code", "oversized", "drop", "stall", "trickle"])
    func failurePathsLeakNothing(fault: String) async throws {
        let mock = try await Mock(["--fault", fault])
        let (result, trace) = try await traced([Paths.launcher, "-v", "--timeout", "500ms", "--imds-endpoint", mock.url, "--", "true"])
        let secrets = try secrets(mock)
        #expect(result.status == 125, "\(result.stderr)")
        #expect(leaks(trace, secrets).isEmpty, "\(leaks(trace, secrets))")
        #expect(fileCreations(trace).isEmpty, "\(fileCreations(trace))")
        #expect(!trace.contains { $0.contains("execve(") && $0.contains("/true") }, "the command ran despite the failure")
    }

    // MARK: the STS paths and the container token file: each secret where it must go, nowhere else

    /// STS's answers as fake_sts.py numbers them: the first call's keys, then the second's.
    static let stsKeys = [("fakeStsSecret1/abcdefghijkl", "fakeStsToken1/mnopqrstuvwxyz"),
                          ("fakeStsSecret2/abcdefghijkl", "fakeStsToken2/mnopqrstuvwxyz")]

    @Test func webIdentityThenAssumeRoleLeaksOnlyToSTSAndTheChild() async throws {
        let sts = try await FakeSTS()
        let dir = TempDir()
        let jwt = STSTests.jwt
        try (jwt + "\n").write(toFile: dir.path("token"), atomically: true, encoding: .utf8)
        let (result, trace) = try await traced([Paths.launcher, "-v", "--assume-role", "arn:aws:iam::111122223333:role/chained",
                                          "--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID"], environment: [
            "AWS_ENDPOINT_URL_STS": sts.url, "AWS_WEB_IDENTITY_TOKEN_FILE": dir.path("token"), "AWS_ROLE_ARN": STSTests.role,
            "AWS_REGION": "eu-west-1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "ASIAFAKESTS000000002\n", "the child did not get the chained role's keys")
        let ((secret1, token1), (secret2, token2)) = (Self.stsKeys[0], Self.stsKeys[1])
        // The JWT goes in the body of the unsigned AssumeRoleWithWebIdentity; the web identity session's
        // token goes in the X-Amz-Security-Token header of the AssumeRole it signs; its secret only signs.
        let webIdentityCall = { (line: String) in
            isSend(line, to: sts.port) && line.contains("Action=AssumeRoleWithWebIdentity&") && line.contains("WebIdentityToken=\(jwt)")
        }
        let assumeRoleCall = { (line: String) in
            isSend(line, to: sts.port) && line.contains("Action=AssumeRole&") && line.contains("\\r\\nX-Amz-Security-Token: \(token1)\\r\\n")
        }
        let toSTS = trace.filter { isSend($0, to: sts.port) }
        #expect(toSTS.count == 2 && toSTS.filter(webIdentityCall).count == 1 && toSTS.filter(assumeRoleCall).count == 1,
                "expected one AssumeRoleWithWebIdentity and one signed AssumeRole: \(toSTS)")
        #expect(misplaced(trace, jwt, allowed: webIdentityCall).isEmpty, "\(misplaced(trace, jwt, allowed: webIdentityCall))")
        #expect(misplaced(trace, token1, allowed: assumeRoleCall).isEmpty, "\(misplaced(trace, token1, allowed: assumeRoleCall))")
        #expect(misplaced(trace, secret1) { _ in false }.isEmpty, "the signing secret left the launcher")
        for secret in [secret2, token2] {
            #expect(misplaced(trace, secret, allowed: isCommandExecve).isEmpty, "\(misplaced(trace, secret, allowed: isCommandExecve))")
        }
        #expect(trace.contains { isCommandExecve($0) && $0.contains(secret2) && $0.contains(token2) }, "no execve with the keys traced")
        #expect(fileCreations(trace).isEmpty, "\(fileCreations(trace))")
    }

    @Test func containerTokenFileGoesOnlyToTheEndpoint() async throws {
        let dir = TempDir()
        let token = "pod-identity-token-7f3c9a1e5b2d"
        try (token + "\n").write(toFile: dir.path("token"), atomically: true, encoding: .utf8)
        let mock = try await Mock(["--container-token-file", dir.path("token")])
        let (result, trace) = try await traced([Paths.launcher, "-v", "--", "true"], environment: [
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": mock.url + "/v1/credentials", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": dir.path("token")])
        #expect(result.status == 0, "\(result.stderr)")
        let secrets = try secrets(mock)
        let request = { (line: String) in
            isSend(line, to: mock.port) && line.contains("\"GET /v1/credentials HTTP/1.1\\r\\n") && line.contains("\\r\\nAuthorization: \(token)\\r\\n")
        }
        #expect(trace.filter { isSend($0, to: mock.port) }.count == 1 && trace.contains(where: request), "\(trace.filter { isSend($0, to: mock.port) })")
        #expect(misplaced(trace, token, allowed: request).isEmpty, "\(misplaced(trace, token, allowed: request))")
        for secret in secrets {
            #expect(misplaced(trace, secret, allowed: isCommandExecve).isEmpty, "\(misplaced(trace, secret, allowed: isCommandExecve))")
        }
        #expect(trace.contains { isCommandExecve($0) && $0.contains(secrets[0]) }, "no execve with the keys traced")
        #expect(fileCreations(trace).isEmpty, "\(fileCreations(trace))")
    }

    @Test func serveWithAssumeRoleLeaksOnlyToSTSAndTheTokenHolder() async throws {
        let sts = try await FakeSTS()
        let mock = try await Mock()
        let client = """
        import os, urllib.request
        req = urllib.request.Request(os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"],
                                     headers={"Authorization": os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]})
        body = urllib.request.urlopen(req).read()
        print("bytes", len(body) > 100)
        """
        let (result, trace) = try await traced([Paths.launcher, "-v", "--serve", "--imds-endpoint", mock.url, "--assume-role", STSTests.role,
                                          "--", "python3", "-B", "-c", client],
                                         environment: ["AWS_ENDPOINT_URL_STS": sts.url, "AWS_REGION": "eu-west-1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "bytes True\n")
        let base = try mock.current()
        let (secret, token) = Self.stsKeys[0]
        let url = try #require(tracedEnvironment(trace, "AWS_CONTAINER_CREDENTIALS_FULL_URI"), "no endpoint in the child's environment")
        let endpointToken = try #require(tracedEnvironment(trace, "AWS_CONTAINER_AUTHORIZATION_TOKEN"))
        let port = try #require(url.split(separator: ":").last?.split(separator: "/").first.flatMap { UInt16($0) }, "\(url)")
        // The base (IMDS) session token signs the AssumeRole as its header; the role's keys go out only in
        // the endpoint's 200 answer; the endpoint's token only into the child and back in its request.
        let assumeRoleCall = { (line: String) in
            isSend(line, to: sts.port) && line.contains("Action=AssumeRole&") && line.contains("\\r\\nX-Amz-Security-Token: \(base["Token"]!)\\r\\n")
        }
        let answer = { (line: String) in isSend(line, from: port) && line.contains("\"HTTP/1.1 200 OK\\r\\n") }
        let request = { (line: String) in
            isSend(line, to: port) && line.contains("\"GET /") && line.contains("\\r\\nAuthorization: \(endpointToken)\\r\\n")
        }
        #expect(trace.filter { isSend($0, to: sts.port) }.count == 1 && trace.contains(where: assumeRoleCall), "\(trace.filter { isSend($0, to: sts.port) })")
        #expect(trace.filter(answer).count == 1 && trace.contains { answer($0) && $0.contains(secret) && $0.contains(token) },
                "no single 200 answer with the role's keys traced")
        for leaked in [base["SecretAccessKey"]!, "mockSecret/"] {
            #expect(misplaced(trace, leaked) { _ in false }.isEmpty, "the base signing secret left the launcher")
        }
        for leaked in [base["Token"]!, "mockSessionToken/"] {
            #expect(misplaced(trace, leaked, allowed: assumeRoleCall).isEmpty, "\(misplaced(trace, leaked, allowed: assumeRoleCall))")
        }
        for leaked in [secret, token] {
            #expect(misplaced(trace, leaked, allowed: answer).isEmpty, "\(misplaced(trace, leaked, allowed: answer))")
        }
        let holder = { (line: String) in isCommandExecve(line) || request(line) }
        #expect(trace.contains(where: request), "the child's request with the token was not traced")
        #expect(misplaced(trace, endpointToken, allowed: holder).isEmpty, "\(misplaced(trace, endpointToken, allowed: holder))")
        #expect(fileCreations(trace).isEmpty, "\(fileCreations(trace))")
    }

    @Test func launcherMemoryAndEnvironmentAreClosedToItsOwnUser() async throws {
        // The launcher runs as an unprivileged user; the same user must not read its environ or memory.
        let mock = try await Mock()
        let dir = TempDir()
        chmod(dir.url.path, 0o777)
        let user = "65534:65534"
        let run = try Running("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", Paths.launcher,
                                                   "--imds-endpoint", mock.url, "--", "sh", "-c", "touch \(dir.path("ready")); sleep 30"],
                              environment: baseEnvironment())
        defer { kill(run.pid, SIGKILL) }  // reaped by `run` going away
        #expect(await run.waitFor(file: dir.path("ready")), "the launcher did not start as \(user)")
        let launcher = run.pid  // setpriv execs the launcher in place
        let status = try String(contentsOfFile: "/proc/\(launcher)/status", encoding: .utf8)
        #expect(status.contains("Uid:\t65534"), "not running as the unprivileged user")
        for file in ["environ", "mem"] {
            let probe = try await Running("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups",
                                                         "/bin/sh", "-c", "head -c 16 /proc/\(launcher)/\(file) >/dev/null"],
                                    environment: baseEnvironment()).wait()
            #expect(probe.status != 0, "/proc/PID/\(file) of the launcher is readable by its own user")
            #expect(probe.stderr.contains("Permission denied"), "\(file): \(probe.stderr)")
        }
        // The control: the same user can read its own ordinary process's environ (so the probe works).
        let control = try await Running("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups",
                                                       "/bin/sh", "-c", "head -c 16 /proc/$$/environ >/dev/null"],
                                  environment: baseEnvironment()).wait()
        #expect(control.status == 0, "\(control.stderr)")
    }
}
