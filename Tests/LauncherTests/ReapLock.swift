import Glibc
@testable import RoleCreds

/// Both test targets run in one process. RoleCredsTests' `ownedChildIsLeftToItsOwner` checks the
/// supervisor's reaper pass (`LinuxProcesses.reap`), which collects every exited child of the process:
/// a launcher of these tests that exits meanwhile would lose its status to it. Each unreaped `Running`
/// therefore holds this flock(2) shared, and that test takes it exclusive (RoleCredsTests/ReapLock.swift
/// names the same file). The lock is on a file of this process's own, so other test runs never wait on it.
final class ReapLock {
    static var path: String { "/tmp/wrc-tests-reap-\(getpid()).lock" }
    private var fd: Int32

    /// Waits (blocking: the exclusive holder keeps it for one short reaper check) for a shared hold.
    init() {
        fd = open(Self.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        if fd >= 0 { _ = try? retryingInterrupts { flock(fd, LOCK_SH) } }
    }

    /// Lets go of the hold; again is harmless.
    func release() {
        if fd >= 0 { close(fd) }
        fd = -1
    }

    deinit { release() }
}
