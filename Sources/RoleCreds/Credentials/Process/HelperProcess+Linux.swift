#if canImport(Glibc)
import Glibc
#endif
import CSystem

/// Runs a credential helper (`credential_process`) to completion within a deadline: stdin from
/// `/dev/null`, stderr passed through (the helper may prompt or explain), stdout collected up to a
/// limit. The helper is ours alone: recorded in `ChildOwnership` so the supervisor neither reaps nor
/// stops it, signalled through its pidfd, and reaped here on its own pid.
public enum HelperProcess {
    /// What the helper left: its stdout (at most the limit) and how it ended.
    public struct Outcome {
        public var stdout: [UInt8]
        public var exit: ChildExit
    }

    /// How long a helper gets between SIGTERM and SIGKILL once it is out of time.
    static let termGraceMillis: Int64 = 1000

    /// Runs `argv` (searched in `PATH` as `posix_spawnp` does) with `environment`. Out of time or past
    /// `limit` bytes of stdout: SIGTERM, then SIGKILL after the grace, and one error naming which.
    /// Errors never hold stdout.
    public static func run(_ argv: [String], environment: [String], limit: Int, wait: Wait,
                           ownership: ChildOwnership = .shared) throws(CredentialError) -> Outcome {
        let name = argv[0].quotable(limit: 80)
        var fds: [Int32] = [0, 0]
        guard csys_pipe2(&fds, O_CLOEXEC) == 0 else { throw CredentialError("cannot run credential_process: pipe: \(Errno.current)") }
        let readEnd = FileDescriptor(fds[0])
        let writeEnd = FileDescriptor(fds[1])
        let pid: pid_t
        do {
            pid = try ownership.start { () throws(SpawnError) -> pid_t in
                try spawn(argv, environment: environment, stdout: writeEnd.rawValue)
            }
        } catch {
            throw CredentialError(.provider, "cannot run credential_process: \(error)", underlying: error)
        }
        defer { ownership.release(pid) }
        writeEnd.close()   // EOF reaches us once the helper (and whatever it forked) lets go of stdout
        let pidfd = FileDescriptor(csys_pidfd_open(pid))
        var reader = OutputReader(fd: readEnd.rawValue, limit: limit)
        var status: Int32?
        while status == nil {
            if reader.overflowed || wait.remainingMillis == 0 {
                let how = stop(pid, pidfd: pidfd)
                throw CredentialError(reader.overflowed
                    ? "credential_process \(name) wrote more than \(limit / 1024) KiB to stdout; stopped it (\(how))"
                    : "credential_process \(name) did not finish in time; stopped it (\(how))", transient: !reader.overflowed)
            }
            status = awaitEvent(pid, pidfd: pidfd, reader: &reader, wait: wait)
        }
        // The helper is gone: what it wrote is in the pipe. A grandchild may still hold stdout open,
        // so drain without waiting for an end of file that may never come.
        reader.drain()
        if reader.overflowed {
            throw CredentialError("credential_process \(name) wrote more than \(limit / 1024) KiB to stdout")
        }
        guard let exit = ChildExit(waitStatus: status!) else { throw CredentialError("credential_process \(name) ended oddly") }
        return Outcome(stdout: reader.bytes, exit: exit)
    }

    /// Polls stdout and the helper's pidfd (or every 50 ms without one) within the wait; the helper's
    /// wait status once it has exited and is reaped, else nil.
    static func awaitEvent(_ pid: pid_t, pidfd: FileDescriptor, reader: inout OutputReader, wait: Wait) -> Int32? {
        var fds = [pollfd(fd: reader.isOpen ? reader.fd : -1, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: pidfd.rawValue, events: Int16(POLLIN), revents: 0)]
        if let interrupt = wait.interrupt { fds.append(pollfd(fd: interrupt.fd, events: Int16(POLLIN), revents: 0)) }
        let timeout = (pidfd.rawValue >= 0) ? wait.remainingMillis : min(wait.remainingMillis, 50)
        // EINTR (n < 0) needs no retry here: the caller loops and polls again with what is left.
        let n = poll(&fds, nfds_t(fds.count), Int32(clamping: timeout))
        if n > 0 {
            if fds.count > 2 && fds[2].revents != 0 { wait.interrupt?.handler() }
            if fds[0].revents != 0 { reader.readAvailable() }
        }
        return reapIfExited(pid)
    }

    /// `waitpid` on this pid only, never -1: other children belong to the supervisor.
    static func reapIfExited(_ pid: pid_t, block: Bool = false) -> Int32? {
        var status: Int32 = 0
        guard let got = try? retryingInterrupts({ waitpid(pid, &status, block ? 0 : WNOHANG) }), got == pid else { return nil }
        return status
    }

    /// SIGTERM, up to `termGraceMillis` for it to go, then SIGKILL; reaps it. Names the signal that ended it.
    static func stop(_ pid: pid_t, pidfd: FileDescriptor) -> String {
        signal(pid, pidfd: pidfd, SIGTERM)
        var waited: Int64 = 0
        while waited < termGraceMillis {
            if reapIfExited(pid) != nil { return "SIGTERM" }
            if (pidfd.rawValue >= 0) {
                var fds = [pollfd(fd: pidfd.rawValue, events: Int16(POLLIN), revents: 0)]
                _ = poll(&fds, 1, 50)
            } else {
                sleepMillis(50)
            }
            waited += 50
        }
        if reapIfExited(pid) != nil { return "SIGTERM" }
        signal(pid, pidfd: pidfd, SIGKILL)
        _ = reapIfExited(pid, block: true)
        return "SIGTERM, then SIGKILL"
    }

    /// Through the pidfd when there is one: it cannot reach a recycled pid.
    static func signal(_ pid: pid_t, pidfd: FileDescriptor, _ signal: Int32) {
        if (pidfd.rawValue >= 0) { _ = csys_pidfd_send_signal(pidfd.rawValue, signal) } else { _ = kill(pid, signal) }
    }

    /// `posix_spawnp` with stdin from `/dev/null`, stdout to `stdout`, stderr ours, signals reset.
    static func spawn(_ argv: [String], environment: [String], stdout: Int32) throws(SpawnError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        // dup2 clears FD_CLOEXEC on the copy; the original pipe end stays close-on-exec.
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        var pid: pid_t = 0
        let rc = Spawn.withCleanAttributes(extraFlags: 0) { attr in
            withCStrings(argv) { cArgv in
                withCStrings(environment) { cEnv in posix_spawnp(&pid, cArgv[0]!, &actions, &attr, cArgv, cEnv) }
            }
        }
        guard rc == 0 else { throw SpawnError(command: argv[0], errno: Errno(rawValue: rc)) }
        return pid
    }
}

/// Reads the helper's stdout without blocking, up to a limit.
struct OutputReader {
    let fd: Int32
    let limit: Int
    private(set) var bytes: [UInt8] = []
    /// False after end of file.
    private(set) var isOpen = true
    /// More than `limit` bytes came.
    private(set) var overflowed = false

    init(fd: Int32, limit: Int) {
        self.fd = fd; self.limit = limit
        // Non-blocking, so a drain after the helper's exit stops when the pipe is empty.
        _ = csys_fcntl_setfl(fd, csys_fcntl_getfl(fd) | O_NONBLOCK)
    }

    /// Reads what is there now (one read of up to 16 KiB).
    mutating func readAvailable() {
        guard isOpen, !overflowed else { return }
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        let n = (try? retryingInterrupts { buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) } }) ?? -1
        if n == 0 { isOpen = false; return }
        guard n > 0 else { return }   // EAGAIN: nothing yet
        bytes += buffer[0..<n]
        if bytes.count > limit { overflowed = true; bytes = [] }
    }

    /// Reads until the pipe is empty or closed.
    mutating func drain() {
        while isOpen, !overflowed {
            let before = bytes.count
            readAvailable()
            if isOpen && bytes.count == before { return }
        }
    }
}
