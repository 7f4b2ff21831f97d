import Foundation
import Glibc
@testable import RoleCreds

/// A server the tests start beside the launcher (imds-mock, Fixtures/fake_sts.py, fake_rolesanywhere.py,
/// the TLS and proxy servers of TLSFixtures): started with the test process's environment and an empty
/// signal mask, ready once it has written a complete line to its readiness file (the mock's `--url-file`,
/// the fixtures' `--port-file`), killed when the owner lets go of it.
final class HelperServer {
    /// The server's scratch directory: its readiness file, its log.
    let dir: TempDir
    let pid: pid_t
    /// The readiness file's line (a URL or a port), without its newline.
    let ready: String
    private var reaped = false

    /// Starts `argv` (`dir` names the scratch directory the arguments may point into) and waits up to 10 s
    /// for the line in `dir/readyFile`; `name` says which server did not start.
    init(_ name: String, readyFile: String, dir: TempDir = TempDir(), _ argv: (TempDir) -> [String]) async throws {
        self.dir = dir
        let environment = ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
        let pid = try spawnClean(argv(dir), environment: environment, newSession: true) { actions in
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        self.pid = pid
        let file = dir.path(readyFile)
        var line: String?
        // Both fixtures and the mock write the file whole (rename, or one write ending in a newline).
        _ = await eventually {
            if let text = try? String(contentsOfFile: file, encoding: .utf8), text.hasSuffix("\n") {
                line = text.trimmingCharacters(in: .whitespacesAndNewlines)
                return true
            }
            return ProcStat.isDead(pid)
        }
        guard let line else {
            Self.end(pid)
            throw HarnessError("\(name) did not start")
        }
        ready = line
    }

    deinit { stop() }

    /// Kills the server (SIGKILL: nothing of its state matters once a test lets go of it) and reaps it.
    func stop() {
        guard !reaped else { return }
        reaped = true
        Self.end(pid)
    }

    private static func end(_ pid: pid_t) {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        // Returns at once: SIGKILL cannot be caught or blocked.
        _ = try? retryingInterrupts { waitpid(pid, &status, 0) }
    }
}
