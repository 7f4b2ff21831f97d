import Foundation
import Testing
@testable import RoleCreds

/// The supervisor as a user sees it (spec §4): signals, process groups, job control, reaping
/// and exit status, with real processes. The terminal cases type into a bash on a pseudo-terminal;
/// the others run the launcher in a session of its own, without a terminal, as CI or systemd would.
/// Not serialized: each test has its own mock, terminal and session, and several wait for seconds
/// (a 10 s idle window, sleeps a Ctrl-C interrupts, 200 runs), which overlap with the others.
@Suite(.timeLimit(.minutes(3)))
struct SupervisorTests {
    // MARK: with a controlling terminal

    /// What a user types to run the launcher against the mock (`$WRC` and `$MOCK` are in the shell's environment).
    static let wrc = #""$WRC" --imds-endpoint "$MOCK" --"#

    /// A bash at its first prompt on a fresh pseudo-terminal.
    func terminal(_ mock: Mock) async throws -> PseudoTerminal {
        let pty = try PseudoTerminal(environment: baseEnvironment().merging(["WRC": Paths.launcher, "MOCK": mock.url]) { $1 })
        try await pty.expectPrompt()
        return pty
    }

    /// The launcher the terminal's shell started, once it shows up.
    func startedLauncher(from pty: PseudoTerminal) async -> ProcStat? {
        var found: ProcStat?
        _ = await eventually(timeout: 20) {
            found = ProcStat.children(of: pty.shellPid).first { $0.command == "with-role-creds" }
            return found != nil
        }
        return found
    }

    /// The exit status of the last command, as the shell reports it.
    func lastStatus(_ pty: PseudoTerminal) async throws -> String {
        pty.type("echo status-$?\n")
        let text = try await pty.expectPrompt()
        return text.split(whereSeparator: \.isNewline).first { $0.hasPrefix("status-") }.map(String.init) ?? text
    }

    // The markers the commands print are split with "" so that the terminal's echo of the typed
    // command line never contains them.

    @Test func ctrlCReachesTheChildOncePerPress() async throws {
        let mock = try await Mock()
        let pty = try await terminal(mock)
        // The child waits for the files `go1` and `go2` (not for a while): each Ctrl-C lands however slowly it runs.
        let dir = TempDir()
        let (go1, go2) = (dir.path("go1"), dir.path("go2"))
        pty.type(Self.wrc + #" sh -c 'trap "echo caught-i""nt" INT; echo one-rea""dy; while [ ! -e "# + go1
                 + #" ]; do sleep 0.05; done; echo two-rea""dy; while [ ! -e "# + go2 + #" ]; do sleep 0.05; done; sleep 1; echo fini""shed'"# + "\n")
        try await pty.expect("one-ready")
        pty.type("\u{3}")
        var first = try await pty.expect("caught-int")
        #expect(FileManager.default.createFile(atPath: go1, contents: nil))
        first += try await pty.expect("two-ready")
        pty.type("\u{3}")
        var second = try await pty.expect("caught-int")
        // A second copy of the interrupt (forwarded by the launcher) would be caught during `sleep 1`.
        #expect(FileManager.default.createFile(atPath: go2, contents: nil))
        second += try await pty.expect("finished")
        try await pty.expectPrompt()
        #expect(first.components(separatedBy: "caught-int").count - 1 == 1, "\(first.debugDescription)")
        #expect(second.components(separatedBy: "caught-int").count - 1 == 1, "\(second.debugDescription)")
        #expect(try await lastStatus(pty) == "status-0")
    }

    @Test func interruptFromAnotherProcessIsForwardedOnceWithATerminal() async throws {
        let mock = try await Mock()
        let pty = try await terminal(mock)
        // The child waits for `go` (not for a while): the test finds the launcher however slowly it runs.
        let dir = TempDir()
        let go = dir.path("go")
        pty.type(Self.wrc + #" sh -c 'trap "echo caught-i""nt" INT; echo rea""dy; while [ ! -e "# + go
                 + #" ]; do sleep 0.05; done; sleep 1; echo fini""shed'"# + "\n")
        try await pty.expect("ready")
        let launcher = try await #require(startedLauncher(from: pty))
        // `kill -INT` aimed at the launcher alone: the child shares its group but got nothing yet.
        kill(launcher.pid, SIGINT)
        let caught = try await pty.expect("caught-int")
        // A second copy of the interrupt (forwarded again) would be caught during `sleep 1`.
        #expect(FileManager.default.createFile(atPath: dir.path("go"), contents: nil))
        let shown = caught + (try await pty.expect("finished"))
        try await pty.expectPrompt()
        #expect(shown.components(separatedBy: "caught-int").count - 1 == 1, "\(shown.debugDescription)")
        #expect(try await lastStatus(pty) == "status-0")
    }

    @Test func ctrlZStopsLauncherAndChildAndFgResumesBoth() async throws {
        let mock = try await Mock()
        let pty = try await terminal(mock)
        // The child waits for the file `go`, made only once both are seen stopped: Ctrl-Z lands however slowly it runs.
        let dir = TempDir()
        let go = dir.path("go")
        pty.type(Self.wrc + #" sh -c 'echo rea""dy; while [ ! -e "# + go + #" ]; do sleep 0.05; done; echo done""-marker'"# + "\n")
        try await pty.expect("ready")
        let launcher = try await #require(startedLauncher(from: pty))
        let child = try #require(ProcStat.children(of: launcher.pid).first)
        pty.type("\u{1a}")
        let suspended = try await pty.expectPrompt()
        #expect(suspended.contains("Stopped"), "\(suspended.debugDescription)")
        #expect(await eventually { ProcStat(pid: launcher.pid)?.state == "T" && ProcStat(pid: child.pid)?.state == "T" },
                "launcher \(String(describing: ProcStat(pid: launcher.pid)?.state)), child \(String(describing: ProcStat(pid: child.pid)?.state))")
        #expect(!suspended.contains("done-marker"))
        #expect(FileManager.default.createFile(atPath: go, contents: nil))
        pty.type("fg\n")
        let resumed = try await pty.expectPrompt()
        #expect(resumed.contains("done-marker"), "\(resumed.debugDescription)")
        #expect(try await lastStatus(pty) == "status-0")
    }

    /// With a terminal the child shares our group, so no group can be stopped: what it leaves
    /// behind is re-parented to us (subreaper) and gets the stop procedure when the launcher ends.
    @Test func withATerminalNothingTheChildLeftBehindOutlivesTheLauncher() async throws {
        let mock = try await Mock()
        let dir = TempDir()
        let pty = try await terminal(mock)
        pty.type(#""$WRC" --stop-timeout 1s --imds-endpoint "$MOCK" -- sh -c '(trap "" TERM; exec sleep 1000) & echo $! > "#
                 + dir.path("helper") + "'\n")
        try await pty.expectPrompt()
        #expect(try await lastStatus(pty) == "status-0")
        let helper = try #require(lines(dir.path("helper")).first.flatMap { pid_t($0) })
        defer { kill(helper, SIGKILL) }
        #expect(ProcStat.isDead(helper), "the helper that ignores SIGTERM outlived the launcher")
    }

    @Test func interactiveShellChildReadsItsInput() async throws {
        let mock = try await Mock()
        let pty = try await terminal(mock)
        pty.type(#"PS1=inner""-ps1'$ ' "# + Self.wrc + " sh\n")
        try await pty.expect("inner-ps1$ ")
        pty.type("echo in$((6*7))ner\n")
        try await pty.expect("in42ner")
        try await pty.expect("inner-ps1$ ")
        pty.type("exit 3\n")
        try await pty.expectPrompt()
        #expect(try await lastStatus(pty) == "status-3")
    }

    @Test func pipedStdinAndTheTerminalBothReachTheChild() async throws {
        let mock = try await Mock()
        let pty = try await terminal(mock)
        pty.type("echo from-pipe | " + Self.wrc + #" sh -c 'read p; echo rea""dy; read l </dev/tty; echo "got-$p-$l"'"# + "\n")
        try await pty.expect("ready")
        pty.type("from-keyboard\n")
        try await pty.expect("got-from-pipe-from-keyboard")
        try await pty.expectPrompt()
        #expect(try await lastStatus(pty) == "status-0")
    }

    @Test func backgroundJobReadsTheTerminalAfterFg() async throws {
        let mock = try await Mock()
        let pty = try await terminal(mock)
        pty.type(Self.wrc + #" sh -c 'read l </dev/tty; echo "bg-got-$l"' &"# + "\n")
        try await pty.expectPrompt()
        let launcher = try await #require(startedLauncher(from: pty))
        // The child's read from the terminal stops the whole background job: SIGTTIN to its process group.
        #expect(await eventually(timeout: 20) {
            guard let child = ProcStat.children(of: launcher.pid).first else { return false }
            return child.state == "T" && ProcStat(pid: launcher.pid)?.state == "T"
        }, "the background job was not stopped by its terminal read")
        pty.type("fg\n")
        pty.type("from-keyboard\n")
        try await pty.expect("bg-got-from-keyboard")
        try await pty.expectPrompt()
        #expect(try await lastStatus(pty) == "status-0")
    }

    // MARK: without a terminal

    @Test func sigtermReachesAGrandchildAndNothingOutlivesTheLauncher() async throws {
        let mock = try await Mock()
        let dir = TempDir()
        // A grandchild in the background of the child (as `sh -c 'server & wait'`) that takes a moment
        // to clean up on SIGTERM: it must not be killed as soon as the child is gone.
        let grandchild = """
            trap 'sleep 0.3; echo got-term > \(dir.path("got")); exit 0' TERM
            sleep 100 &
            echo $$ $! > \(dir.path("pids.tmp")) && mv \(dir.path("pids.tmp")) \(dir.path("pids"))
            wait

            """
        try grandchild.write(toFile: dir.path("grandchild.sh"), atomically: true, encoding: .utf8)
        let run = try Running(Paths.launcher, ["--imds-endpoint", mock.url, "--", "sh", "-c", "sh \(dir.path("grandchild.sh")) & wait"],
                              environment: baseEnvironment())
        #expect(await run.waitFor(file: dir.path("pids")))
        // Its `sleep` runs (a signal before the exec would be taken by the forked shell's trap and lost).
        let sleeper = try #require(pid_t(try String(contentsOfFile: dir.path("pids"), encoding: .utf8).split(separator: " ")[1]
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(await eventually { ProcStat(pid: sleeper)?.command == "sleep" })
        kill(run.pid, SIGTERM)
        let result = await run.wait()
        #expect(result.signal == SIGTERM, "\(result.stderr)")
        #expect((try? String(contentsOfFile: dir.path("got"), encoding: .utf8)) == "got-term\n", "the grandchild's SIGTERM handler did not run to its end")
        #expect(await eventually { ProcStat.running(inSession: run.pid).isEmpty },
                "left running: \(ProcStat.running(inSession: run.pid).map { "\($0.pid) \($0.command)" })")
    }

    @Test func childIgnoringSigtermIsKilledAfterTheStopTimeout() async throws {
        let mock = try await Mock()
        let dir = TempDir()
        let run = try Running(Paths.launcher, ["--stop-timeout", "1s", "--imds-endpoint", mock.url, "--",
                                               "sh", "-c", "trap '' TERM; touch \(dir.path("ready")); sleep 100"],
                              environment: baseEnvironment())
        #expect(await run.waitFor(file: dir.path("ready")))
        kill(run.pid, SIGTERM)
        let result = await run.wait()
        #expect(result.signal == SIGKILL, "\(result.stderr)")
        #expect(result.stderr.contains("did not stop within 1s; sending SIGKILL"), "\(result.stderr)")
        #expect(await eventually { ProcStat.running(inSession: run.pid).isEmpty })
    }

    @Test func grandchildIgnoringSigtermIsKilledAfterTheStopTimeoutToo() async throws {
        let mock = try await Mock()
        let dir = TempDir()
        // The child dies of SIGTERM at once; its background subshell ignores it.
        let run = try Running(Paths.launcher, ["--stop-timeout", "1s", "--imds-endpoint", mock.url, "--", "sh", "-c",
                                               "(trap '' TERM; touch \(dir.path("ready")); sleep 100) & wait"],
                              environment: baseEnvironment())
        #expect(await run.waitFor(file: dir.path("ready")))
        #expect(await eventually { ProcStat.running(inSession: run.pid).contains { $0.command == "sleep" } })
        kill(run.pid, SIGTERM)
        let result = await run.wait()
        #expect(result.signal == SIGTERM, "the launcher reports how the child ended: \(result.stderr)")
        #expect(result.stderr.contains("did not stop within 1s; sending SIGKILL"), "\(result.stderr)")
        #expect(await eventually { ProcStat.running(inSession: run.pid).isEmpty },
                "left running: \(ProcStat.running(inSession: run.pid).map { "\($0.pid) \($0.command)" })")
    }

    @Test func secondSigtermEscalatesAtOnce() async throws {
        let mock = try await Mock()
        let dir = TempDir()
        let run = try Running(Paths.launcher, ["--stop-timeout", "10m", "--imds-endpoint", mock.url, "--", "sh", "-c",
                                               "trap 'touch \(dir.path("got"))' TERM; touch \(dir.path("ready")); while :; do sleep 0.05; done"],
                              environment: baseEnvironment())
        #expect(await run.waitFor(file: dir.path("ready")))
        kill(run.pid, SIGTERM)
        #expect(await run.waitFor(file: dir.path("got")))
        kill(run.pid, SIGTERM)
        let result = await run.wait()
        #expect(result.signal == SIGKILL, "\(result.stderr)")
        #expect(result.stderr.contains("second SIGTERM"), "\(result.stderr)")
        #expect(await eventually { ProcStat.running(inSession: run.pid).isEmpty })
    }

    @Test func orphanedGrandchildIsReapedWhileTheChildRuns() async throws {
        let mock = try await Mock()
        let dir = TempDir()
        // The subshell exits at once: its background loop is orphaned and re-parented to the launcher
        // (PR_SET_CHILD_SUBREAPER); it exits when the test creates `go`.
        let script = "(while [ ! -e \(dir.path("go")) ]; do sleep 0.05; done & echo $! > \(dir.path("orphan.tmp")); mv \(dir.path("orphan.tmp")) \(dir.path("orphan"))); sleep 100"
        let run = try Running(Paths.launcher, ["--imds-endpoint", mock.url, "--", "sh", "-c", script], environment: baseEnvironment())
        #expect(await run.waitFor(file: dir.path("orphan")))
        let orphan = try #require(pid_t((try String(contentsOfFile: dir.path("orphan"), encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(await eventually { ProcStat(pid: orphan)?.parent == run.pid }, "the orphan was not re-parented to the launcher")
        _ = FileManager.default.createFile(atPath: dir.path("go"), contents: nil)
        #expect(await eventually { ProcStat(pid: orphan) == nil }, "the orphan is left as \(String(describing: ProcStat(pid: orphan)?.state))")
        #expect(run.isRunning)
        #expect(!ProcStat.children(of: run.pid).contains { $0.state == "Z" }, "a zombie under the launcher")
        kill(run.pid, SIGTERM)
        #expect(await run.wait().signal == SIGTERM)
    }

    @Test func twoHundredRunsAllSucceedWithoutLeakingDescriptorsOrZombies() async throws {
        let mock = try await Mock()
        // The child lists its own shell's descriptors (`ls` is a child of that shell, so its own
        // directory descriptor is not among them).
        let script = """
            for i in $(seq 200); do
              "$WRC" --imds-endpoint "$MOCK" -- sh -c 'ls /proc/$$/fd; exit 0' || echo "failed-$?"
              echo end
            done

            """
        let run = try Running("/bin/sh", ["-c", script],
                              environment: baseEnvironment().merging(["WRC": Paths.launcher, "MOCK": mock.url]) { $1 })
        let result = await run.wait(timeout: 150)
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty, "\(result.stderr.prefix(500))")
        let runs = result.stdout.components(separatedBy: "end\n").dropLast()
        #expect(runs.count == 200)
        let leaky = runs.filter { $0 != "0\n1\n2\n" }
        #expect(leaky.isEmpty, "\(leaky.count) runs saw other descriptors or failed, e.g. \(leaky.first?.debugDescription ?? "")")
        let zombies = ProcStat.all().filter { $0.session == run.pid && $0.state == "Z" }
        #expect(zombies.isEmpty, "zombies: \(zombies.map { "\($0.pid) \($0.command)" })")
    }

    @Test func idleLauncherUsesNoCPU() async throws {
        let mock = try await Mock()
        let run = try Running(Paths.launcher, ["--imds-endpoint", mock.url, "--", "sleep", "60"], environment: baseEnvironment())
        // Settled: the child runs and the launcher sleeps in poll(2).
        #expect(await eventually(timeout: 20) {
            let wchan = (try? String(contentsOfFile: "/proc/\(run.pid)/wchan", encoding: .utf8)) ?? ""
            return !ProcStat.children(of: run.pid).isEmpty && ProcStat(pid: run.pid)?.state == "S" && wchan.contains("poll")
        })
        let before = try #require(ProcStat(pid: run.pid))
        let wakeupsBefore = ProcStat.status(run.pid, "voluntary_ctxt_switches")
        // An observation window, not a wait for an event: whatever the launcher does while idle shows up in it.
        try await Task.sleep(for: .seconds(10))
        let after = try #require(ProcStat(pid: run.pid))
        let wakeupsAfter = ProcStat.status(run.pid, "voluntary_ctxt_switches")
        print("idle launcher over 10 s: \(after.cpuTicks - before.cpuTicks) clock ticks of CPU (utime+stime \(before.cpuTicks) → \(after.cpuTicks)), "
              + "voluntary context switches \(wakeupsBefore.map(String.init) ?? "?") → \(wakeupsAfter.map(String.init) ?? "?")")
        #expect(after.cpuTicks == before.cpuTicks)
        #expect(wakeupsAfter == wakeupsBefore, "the launcher woke up while idle")
        kill(run.pid, SIGTERM)
        #expect(await run.wait().signal == SIGTERM)
    }

    // MARK: forwarding

    /// Spec §4: forwarded are every catchable signal except SIGCHLD, SIGURG, SIGTTIN, SIGTTOU and the fault
    /// signals. 32 and 33 are glibc's own (nptl(7)): no program can catch them.
    static let forwarded: [Int32] = (Int32(1)...64).filter {
        ![SIGKILL, SIGSTOP, SIGCHLD, SIGURG, SIGTTIN, SIGTTOU, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS, 32, 33].contains($0)
    }

    @Test func everyForwardedSignalArrivesOnceAndNoOtherDoes() async throws {
        let mock = try await Mock()
        let dir = TempDir()
        let child = """
            import signal, sys
            log, ready = sys.argv[1], sys.argv[2]
            def note(number, frame):
                with open(log, "a") as f:
                    f.write(f"{number}\\n")
                if number == signal.SIGTERM:
                    sys.exit(0)
            for number in signal.valid_signals():
                if number not in (signal.SIGKILL, signal.SIGSTOP):
                    try:
                        signal.signal(number, note)
                    except OSError:
                        pass
            open(ready, "w").close()
            while True:
                signal.pause()

            """
        try child.write(toFile: dir.path("child.py"), atomically: true, encoding: .utf8)
        let log = dir.path("log")
        let run = try Running(Paths.launcher, ["--imds-endpoint", mock.url, "--", "python3", dir.path("child.py"), log, dir.path("ready")],
                              environment: baseEnvironment())
        #expect(await run.waitFor(file: dir.path("ready")))
        func logged() -> [Int32] {
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { Int32($0) }
        }
        var expected: [Int32] = []
        func send(_ signal: Int32) async {
            kill(run.pid, signal)
            expected.append(signal)
            #expect(await eventually { logged().count >= expected.count }, "\(SignalName.name(signal)) did not arrive")
        }
        for signal in Self.forwarded where signal != SIGTERM { await send(signal) }
        // Excluded, and harmless to the launcher: SIGTTIN/SIGTTOU do not stop a process of an orphaned
        // process group (the launcher leads a session of its own here).
        for signal in [SIGURG, SIGCHLD, SIGTTIN, SIGTTOU] { kill(run.pid, signal) }
        // A forwarded one after them, so that anything forwarded wrongly has arrived before it.
        await send(SIGUSR1)
        await send(SIGTERM)
        let result = await run.wait()
        #expect(result.status == 0, "\(result.stderr)")
        let got = logged()
        #expect(got == expected, "missing: \(Set(expected).subtracting(got).sorted().map(SignalName.name)), extra: \(got.count - expected.count)")
        for signal in [SIGURG, SIGCHLD, SIGTTIN, SIGTTOU] {
            #expect(!got.contains(signal), "\(SignalName.name(signal)) was forwarded")
        }
    }
}
