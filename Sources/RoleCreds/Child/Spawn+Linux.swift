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
func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    var pointers = strings.map { string -> UnsafeMutablePointer<CChar>? in
        let bytes = ByteText.encode(string)
        let p = malloc(bytes.count + 1)!.assumingMemoryBound(to: CChar.self)
        bytes.withUnsafeBytes { if let b = $0.baseAddress { UnsafeMutableRawPointer(p).copyMemory(from: b, byteCount: bytes.count) } }
        p[bytes.count] = 0
        return p
    }
    pointers.append(nil)
    defer { for p in pointers { free(p) } }
    return body(pointers)
}
