import Foundation
import Testing
@testable import RoleCreds

/// The syscalls that could carry a secret out of the launcher, or create a file.
let tracedCalls = "write,writev,pwrite64,sendto,sendmsg,openat,creat,rename,execve"

/// Runs `arguments` under `strace -f` and returns the trace, one syscall a line.
func traced(_ arguments: [String], environment: [String: String] = [:], timeout: Double = 60) throws -> (RunResult, [String]) {
    let dir = TempDir()
    let trace = dir.path("trace")
    let env = baseEnvironment().merging(["PYTHONDONTWRITEBYTECODE": "1"].merging(environment) { $1 }) { $1 }
    let result = try Running("/usr/bin/strace", ["-f", "-qq", "-v", "-s", "100000", "-e", "trace=\(tracedCalls)", "-o", trace] + arguments,
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

/// Calls that create, truncate or rename a file (opening /dev/null for writing is not one).
func fileCreations(_ trace: [String]) -> [String] {
    trace.filter { ($0.contains("O_CREAT") && !$0.contains("\"/dev/null\"")) || $0.contains("creat(") || $0.contains("rename(") }
}

/// Secrets never leave the child; the launcher is closed to other processes (issue 6).
@Suite(.serialized, .timeLimit(.minutes(4)))
struct SecretsTests {
    func secrets(_ mock: Mock) throws -> [String] {
        let current = try mock.current()
        return [current["SecretAccessKey"]!, current["Token"]!, "mockSecret/", "mockSessionToken/"]
    }

    @Test func plainRunLeaksNothing() throws {
        let mock = try Mock()
        let (result, trace) = try traced([Paths.launcher, "-v", "--imds-endpoint", mock.url, "--", "true"])
        let secrets = try secrets(mock)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(trace.contains { $0.contains("execve(") && $0.contains("/true") && $0.contains(secrets[0]) },
                "the child's execve should carry the keys (is strace -v working?)")
        #expect(leaks(trace, secrets).isEmpty, "\(leaks(trace, secrets))")
        #expect(fileCreations(trace).isEmpty, "\(fileCreations(trace))")
    }

    @Test func serveRunLeaksOnlyToTheTokenHolder() throws {
        let mock = try Mock()
        let client = """
        import os, urllib.request
        req = urllib.request.Request(os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"],
                                     headers={"Authorization": os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]})
        body = urllib.request.urlopen(req).read()
        print("bytes", len(body) > 100)
        """
        let (result, trace) = try traced([Paths.launcher, "-v", "--serve", "--imds-endpoint", mock.url, "--", "python3", "-B", "-c", client])
        let secrets = try secrets(mock)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "bytes True\n")
        #expect(trace.contains { $0.contains("HTTP/1.1 200 OK") && $0.contains(secrets[0]) }, "no endpoint answer traced")
        #expect(leaks(trace, secrets).isEmpty, "\(leaks(trace, secrets))")
        #expect(fileCreations(trace).isEmpty, "\(fileCreations(trace))")
    }

    @Test func rotationWithRestartLeaksNothing() throws {
        let mock = try Mock(["--rotate", "2", "--lifetime", "60"])
        let first = try secrets(mock)
        let (result, trace) = try traced(["/usr/bin/timeout", "-s", "TERM", "8", Paths.launcher, "-v", "--on-rotate", "restart",
                                          "--refresh-before", "58s", "--imds-endpoint", mock.url, "--", "sleep", "30"])
        let all = first + (try secrets(mock))
        #expect(result.status == 124 || result.signal == SIGTERM || result.status == 143, "\(result)")
        #expect(trace.filter { $0.contains("execve(") && $0.contains("sleep") }.count >= 2, "no restart traced")
        #expect(leaks(trace, all).isEmpty, "\(leaks(trace, all))")
        #expect(fileCreations(trace).isEmpty, "\(fileCreations(trace))")
    }

    @Test(arguments: ["500", "json", "code", "oversized", "drop", "stall", "trickle"])
    func failurePathsLeakNothing(fault: String) throws {
        let mock = try Mock(["--fault", fault])
        let (result, trace) = try traced([Paths.launcher, "-v", "--timeout", "500ms", "--imds-endpoint", mock.url, "--", "true"])
        let secrets = try secrets(mock)
        #expect(result.status == 125, "\(result.stderr)")
        #expect(leaks(trace, secrets).isEmpty, "\(leaks(trace, secrets))")
        #expect(fileCreations(trace).isEmpty, "\(fileCreations(trace))")
        #expect(!trace.contains { $0.contains("execve(") && $0.contains("/true") }, "the command ran despite the failure")
    }

    @Test func launcherMemoryAndEnvironmentAreClosedToItsOwnUser() throws {
        // The launcher runs as an unprivileged user; the same user must not read its environ or memory.
        let mock = try Mock()
        let dir = TempDir()
        chmod(dir.url.path, 0o777)
        let user = "65534:65534"
        let run = try Running("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", Paths.launcher,
                                                   "--imds-endpoint", mock.url, "--", "sh", "-c", "touch \(dir.path("ready")); sleep 30"],
                              environment: baseEnvironment())
        defer { kill(run.pid, SIGKILL); _ = run.wait() }
        #expect(run.waitFor(file: dir.path("ready")), "the launcher did not start as \(user)")
        let launcher = run.pid  // setpriv execs the launcher in place
        let status = try String(contentsOfFile: "/proc/\(launcher)/status", encoding: .utf8)
        #expect(status.contains("Uid:\t65534"), "not running as the unprivileged user")
        for file in ["environ", "mem"] {
            let probe = try Running("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups",
                                                         "/bin/sh", "-c", "head -c 16 /proc/\(launcher)/\(file) >/dev/null"],
                                    environment: baseEnvironment()).wait()
            #expect(probe.status != 0, "/proc/PID/\(file) of the launcher is readable by its own user")
            #expect(probe.stderr.contains("Permission denied"), "\(file): \(probe.stderr)")
        }
        // The control: the same user can read its own ordinary process's environ (so the probe works).
        let control = try Running("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups",
                                                       "/bin/sh", "-c", "head -c 16 /proc/$$/environ >/dev/null"],
                                  environment: baseEnvironment()).wait()
        #expect(control.status == 0, "\(control.stderr)")
    }
}
