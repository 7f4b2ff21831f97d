import Foundation
import Testing
@testable import RoleCreds

/// The signal table's *starting* column and the end of a run, with real processes: a signal that does
/// not end a process by default is ignored while credentials are fetched, Ctrl-Z stops the launcher
/// then, and nothing the launcher killed outlives it, with pidfds and without (kernels before 5.3).
@Suite(.serialized, .timeLimit(.minutes(2)))
struct SupervisionStateTests {
    static let subreaper = Paths.root.appendingPathComponent("Tests/LauncherTests/Fixtures/subreaper.py").path

    @Test func beforeTheChildExistsOnlySignalsThatEndAProcessEndTheLauncher() async throws {
        let mock = try await Mock(["--fault", "stall:1"])
        let run = try Running(Paths.launcher, ["--timeout", "3s", "--imds-endpoint", mock.url, "--", "sh", "-c", "echo ran"],
                              environment: baseEnvironment())
        #expect(await eventually { mock.log().contains { $0.hasSuffix("-> stall") } || !run.isRunning }, "the request never stalled")
        // Ignored by default: the fetch goes on.
        for signal in [SIGWINCH, SIGCHLD, SIGCONT, SIGURG] { kill(run.pid, signal) }
        // Ctrl-Z's signal stops the launcher itself; SIGCONT resumes it.
        kill(run.pid, SIGTSTP)
        #expect(await eventually { ProcStat(pid: run.pid)?.state == "T" }, "the launcher did not stop on SIGTSTP")
        kill(run.pid, SIGCONT)
        let result = await run.wait(timeout: 20)
        #expect(result.signal == nil && result.status == 0, "\(result)")
        #expect(result.stdout == "ran\n")
    }

    /// A background job that ignores SIGTERM outlives the command; at the end the launcher stops its
    /// group, kills it after the stop timeout and exits only once it is gone and reaped: nothing is
    /// re-parented to the subreaper above.
    @Test(arguments: [false, true])
    func nothingTheLauncherKilledOutlivesIt(withoutPidfds: Bool) async throws {
        let mock = try await Mock()
        let launcher = [Paths.launcher, "--imds-endpoint", mock.url, "--stop-timeout", "200ms", "--",
                        "sh", "-c", "trap \"\" TERM; sleep 100 & exit 4"]
        let run = try Running("/usr/bin/env", ["python3", "-B", Self.subreaper] + (withoutPidfds ? ["--no-pidfd"] : []) + launcher,
                              environment: baseEnvironment())
        let result = await run.wait(timeout: 20)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "exit 4", "\(result)")
        #expect(!lines.contains { $0.hasPrefix("leftover") }, "re-parented after the launcher exited: \(lines)")
        #expect(result.stderr.contains("did not stop within 200ms; sending SIGKILL"), "\(result.stderr)")
    }
}
