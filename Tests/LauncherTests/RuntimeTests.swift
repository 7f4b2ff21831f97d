import CSystem
import Foundation
import Testing
@testable import RoleCreds

/// A `/proc/PID/status` line in kB (`VmRSS`, `VmHWM`), as bytes.
func statusBytes(_ pid: pid_t, _ key: String) -> Int? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
        return line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) }.map { $0 * 1024 }
    }
    return nil
}

/// The `--serve` endpoint as the command sees it: written by the child into `dir/endpoint`.
struct ServedEndpoint {
    let port: UInt16
    let token: String

    /// A child script that publishes its endpoint to the test, then runs until SIGTERM.
    static func childScript(_ dir: TempDir) -> String {
        "printf '%s\\n%s\\n' \"$AWS_CONTAINER_CREDENTIALS_FULL_URI\" \"$AWS_CONTAINER_AUTHORIZATION_TOKEN\" > \(dir.path("endpoint.tmp")); "
            + "mv \(dir.path("endpoint.tmp")) \(dir.path("endpoint")); trap 'exit 0' TERM; while :; do sleep 1; done"
    }

    init(_ dir: TempDir) throws {
        let parts = lines(dir.path("endpoint"))
        guard parts.count == 2, let port = parts[0].split(separator: ":").last?.split(separator: "/").first.flatMap({ UInt16($0) }) else {
            throw HarnessError("no endpoint published: \(parts)")
        }
        self.port = port
        self.token = parts[1]
    }

    func connect() throws -> Socket {
        try Socket.connect(host: "127.0.0.1", port: port, wait: Wait(millis: 5000, clock: SystemClock()))
    }

    /// One request on a fresh connection; the status, or nil when no answer came within `timeout` ms.
    /// `extraHeaders`: more header lines, each ending in CRLF.
    func ask(token: String?, timeout: Int64 = 2000, extraHeaders: String = "") -> Int? {
        let wait = Wait(millis: timeout, clock: SystemClock())
        guard let socket = try? connect() else { return nil }
        var request = "GET /credentials HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n" + extraHeaders
        if let token { request += "Authorization: \(token)\r\n" }
        request += "\r\n"
        guard (try? socket.sendAll(Array(request.utf8), wait: wait)) != nil else { return nil }
        var received: [UInt8] = []
        while !received.contains(UInt8(ascii: "\n")) {
            guard let bytes = try? socket.receive(max: 4096, wait: wait), !bytes.isEmpty else { return nil }
            received += bytes
        }
        let line = String(decoding: received, as: UTF8.self).split(separator: " ")
        return line.count > 1 ? Int(line[1]) : nil
    }
}

/// The runtime's defects found in review (issues 11, 15, 16), each as a user meets it.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct RuntimeTests {
    /// Issue 11 #1: each restart stops the old generation's whole group; nothing outlives the launcher.
    @Test func restartsLeaveNoOldGenerationBehind() async throws {
        let mock = try await Mock(["--rotate", "2", "--lifetime", "60"])
        let dir = TempDir()
        // A background helper that ignores SIGTERM, started by every generation.
        let script = "(trap '' TERM; exec sleep 1000) & echo $! >> \(dir.path("helpers")); echo \"$AWS_ACCESS_KEY_ID\" >> \(dir.path("starts")); "
            + "trap 'exit 0' TERM; while :; do sleep 0.05; done"
        let run = try Running(Paths.launcher, ["-q", "--on-rotate", "restart", "--refresh-before", "58s", "--stop-timeout", "1s",
                                               "--imds-endpoint", mock.url, "--", "sh", "-c", script], environment: baseEnvironment())
        #expect(await eventually(timeout: 40) { lines(dir.path("starts")).count >= 2 || !run.isRunning }, "fewer than 2 generations")
        // Every generation but the newest is gone within the stop timeout of the next start.
        let helpers = lines(dir.path("helpers")).compactMap { pid_t($0) }
        #expect(helpers.count >= 2)
        let settled = await eventually(timeout: 10) { helpers.dropLast().allSatisfy(ProcStat.isDead) }
        #expect(settled, "helpers of old generations still alive: \(helpers.dropLast().filter { !ProcStat.isDead($0) }) of \(helpers)")
        let newest = lines(dir.path("helpers")).compactMap { pid_t($0) }.last
        #expect(newest.map { !ProcStat.isDead($0) } == true, "the running generation's helper must live")
        kill(run.pid, SIGTERM)
        let result = await run.wait()
        #expect(result.status == 0, "\(result.stderr)")
        let all = lines(dir.path("helpers")).compactMap { pid_t($0) }
        #expect(all.allSatisfy(ProcStat.isDead), "alive after the launcher exited: \(all.filter { !ProcStat.isDead($0) })")
        for pid in all { kill(pid, SIGKILL) }
    }

    /// Issue 11 #2 / 16 #5: descriptors run out (EMFILE) while idle connections pile up.
    @Test func serveUnderDescriptorExhaustionDoesNotSpinAndStillAnswers() async throws {
        let mock = try await Mock()
        let dir = TempDir()
        let run = try Running("/usr/bin/prlimit", ["--nofile=40:40", Paths.launcher, "--serve", "--imds-endpoint", mock.url,
                                                   "--", "sh", "-c", ServedEndpoint.childScript(dir)], environment: baseEnvironment())
        #expect(await run.waitFor(file: dir.path("endpoint"), timeout: 20))
        let endpoint = try ServedEndpoint(dir)
        let before = try #require(ProcStat(pid: run.pid)?.cpuTicks)
        // More idle connections than the launcher has descriptors for.
        var idle: [Socket] = []
        for _ in 0..<60 { idle.append(try endpoint.connect()) }
        // The window: five token requests tried one after another (each given 4 s). A launcher that
        // spins on EMFILE burns a core for all of it and answers none.
        var answered: [Int?] = []
        for _ in 0..<5 { answered.append(endpoint.ask(token: endpoint.token, timeout: 4000)) }
        let used = try #require(ProcStat(pid: run.pid)?.cpuTicks) - before
        print("launcher CPU while descriptors ran out: \(used) ticks; answers \(answered)")
        #expect(used < 30, "the launcher used \(used) ticks of CPU while out of descriptors")
        #expect(answered.allSatisfy { $0 == 200 }, "the token holder was not served: \(answered)")
        for socket in idle { socket.close() }
        #expect(endpoint.ask(token: endpoint.token, timeout: 5000) == 200)
        kill(run.pid, SIGTERM)
        #expect(await run.wait().status == 0)
    }

    /// Issue 16 #1: a local process pipelines requests without reading the answers.
    @Test func serveMemoryStaysBoundedWhenAnswersAreNotRead() async throws {
        let mock = try await Mock()
        let dir = TempDir()
        let run = try Running(Paths.launcher, ["--serve", "--imds-endpoint", mock.url, "--", "sh", "-c", ServedEndpoint.childScript(dir)],
                              environment: baseEnvironment())
        #expect(await run.waitFor(file: dir.path("endpoint"), timeout: 20))
        let endpoint = try ServedEndpoint(dir)
        #expect(endpoint.ask(token: endpoint.token) == 200)
        let baseline = try #require(statusBytes(run.pid, "VmHWM"))
        // Tiny requests without a token (each answered 403), 64 KiB at a time, until 8 MiB went out
        // on each connection or the launcher stopped taking them (no progress for 2 s).
        let request = Array("GET /credentials HTTP/1.1\r\nHost: 127.0.0.1:\(endpoint.port)\r\n\r\n".utf8)
        var chunk: [UInt8] = []
        while chunk.count < 64 * 1024 { chunk += request }
        var sockets: [Socket] = []
        var sent: [Int] = []
        for _ in 0..<4 {
            let socket = try endpoint.connect()
            sockets.append(socket)
            var total = 0
            pushing: while total < 8 << 20 {
                let n = chunk.withUnsafeBytes { Glibc.send(socket.fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
                if n > 0 { total += n; continue }
                guard n < 0 && (errno == EAGAIN || errno == EINTR) else { break pushing }
                var pfd = pollfd(fd: socket.fd, events: Int16(POLLOUT), revents: 0)
                if !(await eventually(timeout: 2) { poll(&pfd, 1, 0) != 0 }) { break pushing }
            }
            sent.append(total)
        }
        // A proper request on a fresh connection is still answered, and the launcher never grew much.
        #expect(endpoint.ask(token: endpoint.token, timeout: 5000) == 200)
        let peak = try #require(statusBytes(run.pid, "VmHWM"))
        print("sent \(sent.map { $0 >> 10 }) KiB without reading; launcher peak RSS \(baseline >> 10) → \(peak >> 10) KiB")
        #expect(peak - baseline < 8 << 20, "the launcher grew by \((peak - baseline) >> 20) MiB")
        withExtendedLifetime(sockets) {}
        kill(run.pid, SIGTERM)
        #expect(await run.wait().status == 0)
    }

    /// Issue 16 #3: the launcher's own SIGPIPE (a write to a stderr nobody reads) is not forwarded.
    @Test func aBrokenStderrDoesNotStopTheSupervision() async throws {
        let mock = try await Mock(["--rotate", "2", "--lifetime", "60", "--no-extended"])
        let dir = TempDir()
        var fds: [Int32] = [0, 0]
        #expect(csys_pipe2(&fds, O_CLOEXEC) == 0)
        // Quiet until the command runs; then one refresh fails (a warning line), the next one brings
        // new keys ("refreshed again", then USR1 to the command): a USR1 in the child means the
        // launcher has written to its broken stderr, and raised SIGPIPE on itself, twice by then.
        let script = "trap 'echo usr1 >> \(dir.path("events"))' USR1; touch \(dir.path("ready")); "
            + "while [ ! -e \(dir.path("go")) ]; do sleep 0.05; done; exit 7"
        let argv = [Paths.launcher, "--attempts", "1", "--serve", "--on-rotate", "signal:USR1", "--refresh-before", "58s",
                    "--imds-endpoint", mock.url, "--", "sh", "-c", script]
        let env = baseEnvironment().map { "\($0.key)=\($0.value)" }
        let reapHold = ReapLock()
        defer { reapHold.release() }
        let pid = try spawnClean(argv, environment: env, newSession: true) { actions in
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_adddup2(&actions, fds[1], 2)
        }
        // Nobody will ever read the launcher's stderr.
        close(fds[0]); close(fds[1])
        var status: Int32 = 0
        var reaped = false
        let exited = { () -> Bool in
            if !reaped && waitpid(pid, &status, WNOHANG) == pid { reaped = true }
            return reaped
        }
        defer { if !exited() { kill(pid, SIGKILL); waitpid(pid, &status, 0) } }
        #expect(await eventually(timeout: 20) { FileManager.default.fileExists(atPath: dir.path("ready")) || exited() })
        try mock.fault("500:1")
        #expect(await eventually(timeout: 40) { lines(dir.path("events")).count >= 1 || exited() }, "no rotation reached the command")
        #expect(mock.log().contains { $0.hasSuffix("-> 500") }, "no refresh failed: \(mock.log())")
        try Data().write(to: URL(fileURLWithPath: dir.path("go")))
        #expect(await eventually(timeout: 20) { exited() })
        let outcome = ChildExit(waitStatus: status)
        #expect(outcome == .exited(7), "the launcher must end with the command's status, not \(String(describing: outcome))")
        #expect(FileManager.default.fileExists(atPath: dir.path("ready")))
    }

    /// Issue 15 #5: the rotation nudge goes to the command alone, not to what it started.
    @Test func theRotationSignalReachesTheChildButNotItsGroup() async throws {
        let mock = try await Mock(["--rotate", "2", "--lifetime", "60"])
        let dir = TempDir()
        let script = "sleep 1000 & echo $! > \(dir.path("helper")); trap 'echo hup >> \(dir.path("events"))' HUP; trap 'exit 0' TERM; "
            + "while :; do sleep 0.05; done"
        let run = try Running(Paths.launcher, ["-q", "--serve", "--on-rotate", "signal:HUP", "--refresh-before", "58s",
                                               "--imds-endpoint", mock.url, "--", "sh", "-c", script], environment: baseEnvironment())
        #expect(await eventually(timeout: 40) { lines(dir.path("events")).count >= 1 || !run.isRunning }, "no rotation reached the command")
        let helper = try #require(lines(dir.path("helper")).first.flatMap { pid_t($0) })
        // The helper shares the child's group; a HUP to the group would have killed it (default action).
        #expect(!ProcStat.isDead(helper), "the helper in the command's group got the rotation signal")
        kill(run.pid, SIGTERM)
        #expect(await run.wait().status == 0)
        #expect(ProcStat.isDead(helper), "the helper outlived the launcher")
        kill(helper, SIGKILL)
    }

    /// Issue 15 #5: without --serve a signal cannot bring new keys: refused before anything is fetched.
    @Test func theRotationSignalWithoutServeIsRefusedWithAdvice() async throws {
        let mock = try await Mock()
        let result = try await launch(["--on-rotate", "signal:HUP", "--imds-endpoint", mock.url, "--", "true"])
        #expect(result.status == 125)
        #expect(result.stderrLines.count == 1)
        #expect(result.stderr.contains("--serve") && result.stderr.contains("restart"), "\(result.stderr)")
        #expect(mock.log().isEmpty)
    }
}
