import Foundation
import Testing
@testable import RoleCreds

/// CPU ticks (utime + stime) a process has used, from /proc/PID/stat.
func cpuTicks(_ pid: pid_t) -> Int? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return nil }
    let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
    guard fields.count > 13, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
    return user + system
}

func lines(_ path: String) -> [String] {
    ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
}

/// Rotation: restart, signal, the credential endpoint, static stability (issue 5). The mock rotates
/// every few seconds with one-minute credentials and `--refresh-before` close to the lifetime, so a
/// refresh is due every 5 s (the floor).
@Suite(.serialized, .timeLimit(.minutes(3)))
struct RotationTests {
    @Test func restartStartsTheCommandAgainWithEachNewKey() throws {
        let mock = try Mock(["--rotate", "2", "--lifetime", "60"])
        let dir = TempDir()
        let script = "echo \"$AWS_ACCESS_KEY_ID\" >> \(dir.path("starts")); trap 'exit 42' TERM; while :; do sleep 0.05; done"
        let run = try Running(Paths.launcher, ["-q", "--on-rotate", "restart", "--refresh-before", "58s", "--imds-endpoint", mock.url,
                                               "--", "sh", "-c", script], environment: baseEnvironment())
        let deadline = Date().addingTimeInterval(25)
        while lines(dir.path("starts")).count < 3 && Date() < deadline && run.isRunning { usleep(50_000) }
        kill(run.pid, SIGTERM)
        let result = run.wait()
        let starts = lines(dir.path("starts"))
        #expect(starts.count >= 3, "\(starts)")
        #expect(Set(starts).count == starts.count, "a restart reused a key: \(starts)")
        #expect(result.status == 42, "SIGTERM mid-run must end with the child's status: \(result)")
        #expect(!result.stderr.contains("with-role-creds:"), "restarts are quiet under -q: \(result.stderr)")
    }

    @Test func signalModeStartsOnceAndSignalsOnEachRotation() throws {
        let mock = try Mock(["--rotate", "2", "--lifetime", "60"])
        let dir = TempDir()
        let script = "echo start >> \(dir.path("events")); trap 'echo hup >> \(dir.path("events"))' HUP; trap 'exit 0' TERM; while :; do sleep 0.05; done"
        let run = try Running(Paths.launcher, ["-q", "--serve", "--on-rotate", "signal:HUP", "--refresh-before", "58s", "--imds-endpoint", mock.url,
                                               "--", "sh", "-c", script], environment: baseEnvironment())
        let deadline = Date().addingTimeInterval(25)
        while lines(dir.path("events")).filter({ $0 == "hup" }).count < 2 && Date() < deadline && run.isRunning { usleep(50_000) }
        kill(run.pid, SIGTERM)
        let result = run.wait()
        let events = lines(dir.path("events"))
        #expect(events.filter { $0 == "start" }.count == 1, "\(events)")
        #expect(events.filter { $0 == "hup" }.count >= 2, "\(events)")
        #expect(result.status == 0)
    }

    @Test func serveFeedsABotocoreChildThatNeverRestarts() throws {
        let mock = try Mock(["--rotate", "5", "--lifetime", "60"])
        let child = """
        import os, sys, time, urllib.request, urllib.error
        import botocore.session
        session = botocore.session.get_session()
        seen = []
        end = time.time() + 15
        while time.time() < end:
            key = session.get_credentials().get_frozen_credentials().access_key
            if key not in seen:
                seen.append(key)
            time.sleep(0.25)
        print("pid", os.getpid())
        print("keys", " ".join(seen))
        print("static", os.environ.get("AWS_ACCESS_KEY_ID", "none"))
        try:
            urllib.request.urlopen(os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"])
            print("no-token", 200)
        except urllib.error.HTTPError as e:
            print("no-token", e.code)
        """
        let result = try launch(["-q", "--serve", "--refresh-before", "57s", "--imds-endpoint", mock.url, "--", "python3", "-c", child],
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

    @Test func metadataOutageLeavesTheChildAloneAndRecovers() throws {
        var mock = try Mock(["--rotate", "3", "--lifetime", "60"])
        let port = mock.port
        let dir = TempDir()
        let script = "echo start >> \(dir.path("events")); trap 'echo hup >> \(dir.path("events"))' HUP; trap 'exit 0' TERM; while :; do sleep 0.1; done"
        let run = try Running(Paths.launcher, ["-v", "--serve", "--on-rotate", "signal:HUP", "--refresh-before", "57s", "--timeout", "300ms",
                                               "--imds-endpoint", mock.url, "--", "sh", "-c", script], environment: baseEnvironment())
        #expect(run.waitFor(file: dir.path("events")))
        // Down: refreshes fail (connection refused), the child must not notice.
        mock.stop()
        let stderrLines = { lines(run.dir.path("err")) }
        #expect(eventually(timeout: 30) { stderrLines().contains { $0.contains("refreshing credentials failed") } })
        // The window: from the first failed refresh until two more attempts have started (-v logs
        // each). Between them the launcher waits in the kernel: a retry loop that spins would burn
        // CPU for the whole back-off.
        let attempts = { stderrLines().filter { $0 == "with-role-creds: refreshing credentials" }.count }
        let attemptsAtFailure = attempts()
        let ticksBefore = cpuTicks(run.pid) ?? -1
        #expect(eventually(timeout: 60) { attempts() >= attemptsAtFailure + 2 }, "no retry after the failure")
        let ticksDuring = (cpuTicks(run.pid) ?? Int.max) - ticksBefore
        print("launcher CPU between failed refreshes: \(ticksDuring) ticks")
        #expect(ticksDuring < 30, "\(ticksDuring) ticks of CPU while the metadata service was down")
        #expect(run.isRunning)
        let hupsDuringOutage = lines(dir.path("events")).filter { $0 == "hup" }.count
        mock = try Mock(["--listen", "127.0.0.1:\(port)", "--rotate", "3", "--lifetime", "60", "--generation-offset", "100"])
        #expect(eventually(timeout: 60) { lines(dir.path("events")).filter({ $0 == "hup" }).count > hupsDuringOutage },
                "no rotation picked up after the outage")
        kill(run.pid, SIGTERM)
        let result = run.wait()
        let events = lines(dir.path("events"))
        #expect(events.filter { $0 == "start" }.count == 1, "\(events)")
        let failures = result.stderrLines.filter { $0.contains("refreshing credentials failed") }
        #expect(failures.count == 1, "one line per change of state: \(result.stderr)")
        #expect(result.stderrLines.filter { $0.contains("refreshed again") }.count == 1, "\(result.stderr)")
        #expect(result.status == 0)
        withExtendedLifetime(mock) {}
    }

    @Test func noneWarnsOnceWhenTheChildOutlivesItsKeys() throws {
        let mock = try Mock(["--lifetime", "3"])
        let result = try launch(["--imds-endpoint", mock.url, "--", "sh", "-c", "sleep 6; echo done"], timeout: 30)
        #expect(result.status == 0)
        #expect(result.stdout == "done\n")
        #expect(result.stderrLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("credentials expired"), "\(result.stderr)")
        #expect(mock.log().count == 4, "--on-rotate none without --serve refreshes nothing: \(mock.log())")
    }

    @Test func credentialEndpointAnswersByTheRules() throws {
        let mock = try Mock()
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
        let result = try launch(["--serve", "--imds-endpoint", mock.url, "--", "python3", "-c", script])
        #expect(result.status == 0, "\(result.stderr)")
        let out = Set(result.stdout.split(separator: "\n").map(String.init))
        for line in ["ok 200", "wrong-token 403", "no-token 403", "other-path 404", "other-method 405", "bad-host 403",
                     "fields AccessKeyId AccountId Expiration SecretAccessKey Token", "token-length 64"] {
            #expect(out.contains(line), "missing \(line): \(result.stdout)")
        }
    }
}
