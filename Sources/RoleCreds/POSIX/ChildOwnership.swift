#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Which of our children belong to code other than the child supervisor (a `credential_process`
/// helper started on the refresh thread). The launcher is a subreaper that reaps every exited child
/// with `waitpid(-1)`; a child recorded here is reaped only by its owner, on its own pid, so neither
/// can take the other's exit status, and the supervisor never signals it as an orphan.
public final class ChildOwnership: Sendable {
    /// The process-wide record: children are per process, not per object.
    public static let shared = ChildOwnership()
    private let owned = Mutex<Set<pid_t>>([])

    public init() {}

    /// Starts a child with `start` under the lock and records its pid before any reaper can look:
    /// a reaper holds the same lock for its whole pass (`withOwned`).
    public func start<E: Error>(_ start: () throws(E) -> pid_t) throws(E) -> pid_t {
        try owned.withLock { (set: inout Set<pid_t>) throws(E) -> pid_t in
            let pid = try start()
            set.insert(pid)
            return pid
        }
    }

    /// Forgets `pid`, once its owner has reaped it.
    public func release(_ pid: pid_t) {
        _ = owned.withLock { $0.remove(pid) }
    }

    /// Runs a reaper's pass with the owned pids fixed: none is added or reaped by its owner meanwhile.
    public func withOwned<R>(_ body: (Set<pid_t>) -> R) -> R {
        owned.withLock { set in body(set) }
    }
}
