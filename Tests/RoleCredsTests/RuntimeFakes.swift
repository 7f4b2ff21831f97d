#if canImport(Glibc)
import Glibc
#endif
@testable import RoleCreds

/// A clock the test moves by hand.
final class FakeClock: Clock, @unchecked Sendable {
    var now: Int64 = 1_000_000
    var wallOffset: Int64 = 1_700_000_000_000
    func monotonicMillis() -> Int64 { now }
    func wallSeconds() -> Int64 { (now + wallOffset) / 1000 }
    func wallMillis() -> Int64 { now + wallOffset }
    func advance(_ millis: Int64) { now += millis }
}

/// Processes as a table: what was spawned, which processes and groups exist, every signal sent.
final class FakeProcesses: ProcessControl {
    var nextPid: pid_t = 100
    var spawned: [(pid: pid_t, environment: [String], ownGroup: Bool)] = []
    /// Living processes and their group.
    var alive: [pid_t: pid_t] = [:]
    /// Exited processes not yet reaped, with their wait status.
    var exited: [(pid_t, Int32)] = []
    var orphans: [pid_t] = []
    var sent: [(Int32, ProcessTarget)] = []
    var failSpawn: SpawnError?
    var suspended = 0

    func spawn(_ command: [String], environment: [String], ownGroup: Bool) throws(SpawnError) -> pid_t {
        if let failSpawn { throw failSpawn }
        let pid = nextPid
        nextPid += 100
        spawned.append((pid, environment, ownGroup))
        alive[pid] = ownGroup ? pid : 1
        return pid
    }
    func exitDescriptor(of pid: pid_t) -> Int32? { nil }
    func send(_ signal: Int32, to target: ProcessTarget) -> Bool {
        sent.append((signal, target))
        return exists(target)
    }
    func exists(_ target: ProcessTarget) -> Bool {
        switch target {
        case .process(let pid): return alive[pid] != nil || exited.contains { $0.0 == pid }
        case .group(let g): return alive.values.contains(g)
        }
    }
    func reap() -> [(pid: pid_t, status: Int32)] {
        defer { exited = [] }
        return exited.map { (pid: $0.0, status: $0.1) }
    }
    func adoptedOrphans(except: pid_t?) -> [pid_t] { orphans.filter { $0 != except && alive[$0] != nil } }
    func awaitGone(_ targets: [ProcessTarget]) {}
    func suspendSelf() { suspended += 1 }

    /// A helper process in `group` (a background job of the child).
    func addHelper(_ pid: pid_t, group: pid_t) { alive[pid] = group }
    /// `pid` ends with exit code `code` (or by signal), to be reaped.
    func exit(_ pid: pid_t, code: Int32 = 0, signal: Int32? = nil) {
        alive[pid] = nil
        exited.append((pid, signal.map { $0 } ?? (code << 8)))
    }
    /// Signals sent to `target`.
    func signals(to target: ProcessTarget) -> [Int32] { sent.filter { $0.1 == target }.map(\.0) }
}

/// The child as the rotator sees it.
final class FakeChild: ChildControl {
    var isRunning = true
    var restarts: [[String]] = []
    var signals: [Int32] = []
    func restart(environment: [String]) { restarts.append(environment) }
    func signal(_ signal: Int32) { signals.append(signal) }
}

/// A refresh that the test finishes by hand.
final class FakeRefresher: CredentialRefresher {
    let fd: Int32 = -1
    var isRunning = false
    var starts = 0
    var result: Result<Credentials, CredentialError>?
    func start() { if !isRunning { isRunning = true; starts += 1 } }
    func take() -> Result<Credentials, CredentialError>? {
        guard let r = result else { return nil }
        result = nil
        isRunning = false
        return r
    }
}
