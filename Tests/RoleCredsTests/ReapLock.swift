import Glibc
@testable import RoleCreds

/// The exclusive side of LauncherTests/ReapLock.swift (same file): held while a test runs the reaper pass
/// that collects every exited child of the test process, so no launcher of LauncherTests, which holds it
/// shared until it is reaped, loses its exit status to that pass.
enum ReapLock {
    static var path: String { "/tmp/wrc-tests-reap-\(getpid()).lock" }

    /// Runs `body` once no unreaped launcher is left (polled with `Task.sleep`, so the waiting test holds no
    /// thread), with new launchers held back until it returns; throws after `timeout` seconds.
    static func exclusively<T>(timeout: Double = 120, _ body: () throws -> T) async throws -> T {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Errno.current }
        defer { close(fd) }
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(timeout)
        while (try? retryingInterrupts { flock(fd, LOCK_EX | LOCK_NB) }) == nil {
            guard clock.now < deadline else { throw Errno(rawValue: EWOULDBLOCK) }
            try await Task.sleep(for: .milliseconds(5))
        }
        return try body()
    }
}
