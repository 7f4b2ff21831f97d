import Foundation
import Testing
@testable import RoleCreds

/// The lines of the file at `path` so far (none when it does not exist yet).
func lines(_ path: String) -> [String] {
    ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
}

/// Rotation end to end, one test per `--on-rotate` mode (restart, signal, none) and `--serve`; the refresh
/// schedule itself (when, back-off, what each mode does on each rotation) is RotatorTests' with a fake clock.
/// The mock rotates every 2 s with one-minute credentials and `--refresh-before` close to the lifetime, so
/// the first refresh is due after the 5 s floor. The tests share nothing (a mock each): they run concurrently.
@Suite(.timeLimit(.minutes(3)))
struct RotationTests {
    @Test func restartStartsTheCommandAgainWithTheNewKey() async throws {
        let mock = try await Mock(["--rotate", "2", "--lifetime", "60"])
        let dir = TempDir()
        let script = "echo \"$AWS_ACCESS_KEY_ID\" >> \(dir.path("starts")); trap 'exit 42' TERM; while :; do sleep 0.05; done"
        let run = try Running(Paths.launcher, ["-q", "--on-rotate", "restart", "--refresh-before", "58s", "--imds-endpoint", mock.url,
                                               "--", "sh", "-c", script], environment: baseEnvironment())
        _ = await eventually(timeout: 30) { lines(dir.path("starts")).count >= 2 || !run.isRunning }
        kill(run.pid, SIGTERM)
        let result = await run.wait()
        let starts = lines(dir.path("starts"))
        #expect(starts.count >= 2, "\(starts)")
        #expect(Set(starts).count == starts.count, "a restart reused a key: \(starts)")
        #expect(result.status == 42, "SIGTERM mid-run must end with the child's status: \(result)")
        #expect(!result.stderr.contains("with-role-creds:"), "restarts are quiet under -q: \(result.stderr)")
    }

    /// Signal mode under `--serve`, through a metadata outage of two failed refreshes: the command starts
    /// once, never notices the outage, and gets the signal once the keys rotate again; one line when
    /// refreshing starts failing, one when it works again.
    @Test func signalModeStartsOnceRidesOutAnOutageAndSignalsOnRotation() async throws {
        let mock = try await Mock(["--rotate", "2", "--lifetime", "60"])
        let dir = TempDir()
        let events = dir.path("events")
        let script = "echo start >> \(events); trap 'echo hup >> \(events)' HUP; trap 'exit 0' TERM; while :; do sleep 0.1; done"
        let run = try Running(Paths.launcher, ["-v", "--serve", "--on-rotate", "signal:HUP", "--refresh-before", "57s", "--timeout", "300ms",
                                               "--imds-endpoint", mock.url, "--", "sh", "-c", script], environment: baseEnvironment())
        #expect(await run.waitFor(file: events))
        // Down: every credential request is dropped from now on; the child must not notice.
        try mock.fault("drop")
        let stderrLines = { lines(run.dir.path("err")) }
        let scheduled = { stderrLines().filter { $0.hasPrefix("with-role-creds: next refresh in") }.count }
        #expect(await eventually(timeout: 30) { stderrLines().contains { $0.contains("refreshing credentials failed") } })
        // The window: from the first failed refresh until the second has failed too (each attempt ends with
        // its next date under -v). Between them the launcher waits in the kernel: a retry loop that spins
        // would burn CPU for the whole back-off.
        let scheduledAtFailure = scheduled()
        let ticksBefore = ProcStat(pid: run.pid)?.cpuTicks ?? -1
        #expect(await eventually(timeout: 60) { scheduled() > scheduledAtFailure }, "no retry after the failure")
        let ticksDuring = (ProcStat(pid: run.pid)?.cpuTicks ?? Int.max) - ticksBefore
        print("launcher CPU between failed refreshes: \(ticksDuring) ticks")
        #expect(ticksDuring < 30, "\(ticksDuring) ticks of CPU while the metadata service was down")
        #expect(run.isRunning)
        #expect(!lines(events).contains("hup"), "signalled during the outage: \(lines(events))")
        try mock.fault("none")
        #expect(await eventually(timeout: 60) { lines(events).contains("hup") }, "no rotation picked up after the outage")
        kill(run.pid, SIGTERM)
        let result = await run.wait()
        let eventLines = lines(events)
        #expect(eventLines.filter { $0 == "start" }.count == 1, "\(eventLines)")
        let failures = result.stderrLines.filter { $0.contains("refreshing credentials failed") }
        #expect(failures.count == 1, "one line per change of state: \(result.stderr)")
        #expect(result.stderrLines.filter { $0.contains("refreshed again") }.count == 1, "\(result.stderr)")
        #expect(result.status == 0)
    }

    /// `--serve` alone (no restart, no signal): a botocore child that keeps asking sees the new key, from
    /// the one process, with no static keys beside the endpoint.
    @Test func serveFeedsABotocoreChildThatNeverRestarts() async throws {
        let mock = try await Mock(["--rotate", "2", "--lifetime", "60"])
        let child = """
        import os, sys, time, urllib.request, urllib.error
        import botocore.session
        session = botocore.session.get_session()
        seen = []
        end = time.time() + 40
        while len(seen) < 2 and time.time() < end:
            key = session.get_credentials().get_frozen_credentials().access_key
            if key not in seen:
                seen.append(key)
            time.sleep(0.1)
        print("pid", os.getpid())
        print("keys", " ".join(seen))
        print("static", os.environ.get("AWS_ACCESS_KEY_ID", "none"))
        try:
            urllib.request.urlopen(os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"])
            print("no-token", 200)
        except urllib.error.HTTPError as e:
            print("no-token", e.code)
        """
        let result = try await launch(["-q", "--serve", "--refresh-before", "57s", "--imds-endpoint", mock.url, "--", "python3", "-c", child],
                                      timeout: 60)
        #expect(result.status == 0, "\(result.stderr)")
        let out = result.stdout.split(separator: "\n").map(String.init)
        let keys = out.first { $0.hasPrefix("keys ") }?.split(separator: " ").dropFirst() ?? []
        #expect(keys.count >= 2, "\(result.stdout)")
        #expect(keys.allSatisfy { $0.hasPrefix("ASIAMOCK") })
        #expect(out.filter { $0.hasPrefix("pid ") }.count == 1)
        #expect(out.contains("static none"), "static keys given alongside --serve")
        #expect(out.contains("no-token 403"), "\(result.stdout)")
    }

    @Test func noneWarnsOnceWhenTheChildOutlivesItsKeys() async throws {
        let mock = try await Mock(["--lifetime", "3"])
        let result = try await launch(["--imds-endpoint", mock.url, "--", "sh", "-c", "sleep 6; echo done"], timeout: 30)
        #expect(result.status == 0)
        #expect(result.stdout == "done\n")
        #expect(result.stderrLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("credentials expired"), "\(result.stderr)")
        #expect(mock.log().count == 4, "--on-rotate none without --serve refreshes nothing: \(mock.log())")
    }

    @Test func credentialEndpointAnswersByTheRules() async throws {
        let mock = try await Mock()
        let script = """
        import os, http.client, json
        url = os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
        token = os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
        host, port = url.split("//")[1].split("/")[0].split(":")
        def ask(method, path, headers):
            c = http.client.HTTPConnection(host, int(port), timeout=5)
            c.request(method, path, headers=headers)
            r = c.getresponse()
            body = r.read()
            return r.status, body
        print("ok", ask("GET", "/credentials", {"Authorization": token})[0])
        print("wrong-token", ask("GET", "/credentials", {"Authorization": token[:-1] + ("1" if token[-1] == "0" else "0")})[0])
        print("no-token", ask("GET", "/credentials", {})[0])
        print("other-path", ask("GET", "/other", {"Authorization": token})[0])
        print("other-method", ask("POST", "/credentials", {"Authorization": token})[0])
        print("bad-host", ask("GET", "/credentials", {"Authorization": token, "Host": "evil.example:" + port})[0])
        doc = json.loads(ask("GET", "/credentials", {"Authorization": token})[1])
        print("fields", " ".join(sorted(doc)))
        print("token-length", len(token))
        """
        let result = try await launch(["--serve", "--imds-endpoint", mock.url, "--", "python3", "-c", script])
        #expect(result.status == 0, "\(result.stderr)")
        let out = Set(result.stdout.split(separator: "\n").map(String.init))
        for line in ["ok 200", "wrong-token 403", "no-token 403", "other-path 404", "other-method 405", "bad-host 403",
                     "fields AccessKeyId AccountId Expiration SecretAccessKey Token", "token-length 64"] {
            #expect(out.contains(line), "missing \(line): \(result.stdout)")
        }
    }
}
