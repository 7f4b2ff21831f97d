#if canImport(Glibc)
import Glibc
#endif
import CSystem

/// Why a command could not be started, with the exit status that reports it.
public struct SpawnError: Error, CustomStringConvertible {
    public let command: String
    public let errno: Errno
    /// 127 when the command was not found, 126 when it was found but could not be run.
    public var status: Int32 { errno == .noEntry || errno.rawValue == ENOTDIR ? LauncherStatus.notFound : LauncherStatus.cannotRun }
    public var description: String {
        let shown = ByteText.printable(command).quotable(limit: 200)
        return status == LauncherStatus.notFound ? "\(shown): command not found" : "\(shown): \(errno)"
    }
}

/// Starts and replaces processes with an explicit `envp`.
public enum Spawn {
    /// `posix_spawnp` with the signal mask emptied and every signal's disposition reset in the child
    /// (POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF); `ownGroup` puts it in a new process group.
    public static func spawn(_ argv: [String], environment: [String], ownGroup: Bool) throws(SpawnError) -> pid_t {
        var pid: pid_t = 0
        let rc = withCleanAttributes(extraFlags: ownGroup ? Int16(POSIX_SPAWN_SETPGROUP) : 0) { attr in
            if ownGroup { posix_spawnattr_setpgroup(&attr, 0) }
            return withCStrings(argv) { cArgv in
                withCStrings(environment) { cEnv in
                    posix_spawnp(&pid, cArgv[0]!, nil, &attr, cArgv, cEnv)
                }
            }
        }
        guard rc == 0 else { throw SpawnError(command: argv[0], errno: Errno(rawValue: rc)) }
        return pid
    }

    /// Calls `body` with spawn attributes that empty the child's signal mask and reset every signal's
    /// disposition (POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF), plus `extraFlags`.
    static func withCleanAttributes<R>(extraFlags: Int16, _ body: (inout posix_spawnattr_t) -> R) -> R {
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attr, &empty)
        var all = sigset_t()
        sigfillset(&all)
        sigdelset(&all, SIGKILL)
        sigdelset(&all, SIGSTOP)
        posix_spawnattr_setsigdefault(&attr, &all)
        posix_spawnattr_setflags(&attr, csys_spawn_flags(0) | extraFlags)
        return body(&attr)
    }

    /// Sets this process's `RLIMIT_CORE` to 0, soft and hard, for every command it starts from now on:
    /// resource limits pass through fork and `execve` unchanged (getrlimit(2)), so a child spawned after
    /// this call never runs with another limit, and without privilege it cannot raise the hard one back.
    /// `posix_spawn` has no hook between fork and exec, and `prlimit` on the child's pid after the spawn
    /// would race with the command itself; the launcher loses nothing, it is non-dumpable already.
    public static func forbidCoreDumps() throws(Errno) {
        var none = rlimit(rlim_cur: 0, rlim_max: 0)
        guard setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &none) == 0 else { throw Errno.current }
    }

    /// Replaces this process with the command (`--exec`), the signal mask emptied first. Returns only on failure.
    public static func exec(_ argv: [String], environment: [String]) -> SpawnError {
        var empty = sigset_t()
        sigemptyset(&empty)
        sigprocmask(SIG_SETMASK, &empty, nil)
        _ = withCStrings(argv) { cArgv in
            withCStrings(environment) { cEnv in csys_execvpe(cArgv[0]!, cArgv, cEnv) }
        }
        return SpawnError(command: argv[0], errno: .current)
    }
}

/// Calls `body` with a NULL-terminated array of C strings that live for the call: the bytes each
/// string stands for (`ByteText`), so arguments and environment entries reach the command unchanged.
/// One allocation for all the strings and one for the pointers, no Array of pointers: the generic
/// metadata of such an array costs more at start-up than the copying.
func withCStrings<R>(_ strings: [String], _ body: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    var total = 0
    for s in strings { total += s.utf8.count + 1 }
    let pointers = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: strings.count + 1)
    let storage = UnsafeMutablePointer<CChar>.allocate(capacity: max(total, 1))
    defer { pointers.deallocate(); storage.deallocate() }
    var offset = 0
    for (i, s) in strings.enumerated() {
        let start = storage + offset
        pointers[i] = start
        if s.utf8.contains(0xF4) {
            // Escaped bytes (ByteText) are shorter than their escapes: this fits in the space counted.
            for b in ByteText.encode(s) { storage[offset] = CChar(bitPattern: b); offset += 1 }
        } else {
            for b in s.utf8 { storage[offset] = CChar(bitPattern: b); offset += 1 }
        }
        storage[offset] = 0
        offset += 1
    }
    pointers[strings.count] = nil
    return body(pointers)
}
