#if canImport(Glibc)
import Glibc
#endif
import CSystem

/// How a child ended.
public enum ChildExit: Equatable, Sendable {
    case exited(Int32)
    case signaled(Int32)

    /// Decodes a `waitpid` status word; nil for a stop or continue report.
    public init?(waitStatus: Int32) {
        if csys_wifexited(waitStatus) != 0 { self = .exited(csys_wexitstatus(waitStatus)) }
        else if csys_wifsignaled(waitStatus) != 0 { self = .signaled(csys_wtermsig(waitStatus)) }
        else { return nil }
    }
}

/// Exit statuses of the launcher itself (the `env`/`timeout` convention).
public enum LauncherStatus {
    /// The launcher failed: usage, configuration, credentials.
    public static let failed: Int32 = 125
    /// The command was found but could not be run.
    public static let cannotRun: Int32 = 126
    /// The command was not found.
    public static let notFound: Int32 = 127
}

/// Ends the launcher the way the child ended: the same exit code, or death by the same signal
/// (default disposition, core dumps off), so a calling shell sees what happened. 128+N only if
/// raising the signal did not end us.
public func exitLike(_ outcome: ChildExit) -> Never {
    switch outcome {
    case .exited(let code):
        exit(code)
    case .signaled(let sig):
        var limit = rlimit(rlim_cur: 0, rlim_max: 0)
        setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &limit)
        signal(sig, SIG_DFL)
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, sig)
        sigprocmask(SIG_UNBLOCK, &set, nil)
        kill(getpid(), sig)
        exit(128 + sig)
    }
}
