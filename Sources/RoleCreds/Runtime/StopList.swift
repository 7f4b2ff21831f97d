#if canImport(Glibc)
import Glibc
#endif

/// What the child supervisor answers for besides its current child: the process groups it created
/// (one per generation without a terminal) and every process or group under a stop procedure, with
/// its SIGKILL deadline — an old generation's group, an orphan re-parented to us, the child itself.
/// It forgets a group once it is empty and a process once it is reaped, so a recycled id is never
/// signalled.
struct StopList {
    /// Groups we created that may still have members.
    private(set) var groups: [pid_t] = []
    /// Stop procedures under way: when each target gets SIGKILL (monotonic ms).
    private(set) var deadlines: [ProcessTarget: Int64] = [:]
    /// Targets that got SIGKILL: waited for before we exit.
    private(set) var killed: [ProcessTarget] = []

    var isEmpty: Bool { deadlines.isEmpty }
    var targets: [ProcessTarget] { Array(deadlines.keys) }
    /// The nearest SIGKILL deadline.
    var nextDeadline: Int64? { deadlines.values.min() }

    func isStopping(_ target: ProcessTarget) -> Bool { deadlines[target] != nil }

    /// Remembers a group we just created.
    mutating func created(group: pid_t) { groups.append(group) }

    /// Sends `signal` to `target` and, unless a stop already runs for it, sets its SIGKILL deadline
    /// to `deadline`. A target that no longer exists is forgotten.
    mutating func begin(_ target: ProcessTarget, signal: Int32, deadline: Int64, processes: any ProcessControl) {
        guard processes.send(signal, to: target) else { deadlines[target] = nil; return }
        if deadlines[target] == nil { deadlines[target] = deadline }
    }

    /// Sends SIGKILL to `target` at once and remembers it for `takeKilled`.
    mutating func kill(_ target: ProcessTarget, processes: any ProcessControl) {
        deadlines[target] = nil
        if processes.send(SIGKILL, to: target) { killed.append(target) }
    }

    /// The targets whose deadline is at or before `now`.
    func due(_ now: Int64) -> [ProcessTarget] {
        deadlines.compactMap { $0.value <= now ? $0.key : nil }
    }

    /// `pid` was reaped: a stop procedure for it is over.
    mutating func reaped(_ pid: pid_t) { deadlines[.process(pid)] = nil }

    /// Forgets the groups that have no member left, except `current` (the running child's).
    mutating func pruneGroups(except current: pid_t?, processes: any ProcessControl) {
        var gone: [pid_t] = []
        groups.removeAll { group in
            guard group != current, !processes.exists(.group(group)) else { return false }
            gone.append(group)
            return true
        }
        for group in gone { deadlines[.group(group)] = nil }
    }

    /// The killed targets, forgotten here: the caller waits for them.
    mutating func takeKilled() -> [ProcessTarget] {
        defer { killed = [] }
        return killed
    }
}
