#if canImport(Glibc)
import Glibc
#endif
import CSystem

/// A process or a process group that a signal can be sent to.
public enum ProcessTarget: Hashable, Sendable {
    case process(pid_t)
    case group(pid_t)
}

/// What the child supervisor needs from the kernel; tests pass a fake.
public protocol ProcessControl: AnyObject {
    /// Starts the command with `environment`, in a process group of its own when `ownGroup`.
    func spawn(_ command: [String], environment: [String], ownGroup: Bool) throws(SpawnError) -> pid_t
    /// A descriptor that becomes readable when `pid` (a child of ours) exits, or nil.
    func exitDescriptor(of pid: pid_t) -> Int32?
    /// Sends `signal`; false when the process or group no longer exists.
    @discardableResult func send(_ signal: Int32, to target: ProcessTarget) -> Bool
    /// Whether the process or some member of the group still exists (zombies included).
    func exists(_ target: ProcessTarget) -> Bool
    /// Collects every exited child (we are a subreaper: orphans of our descendants too), without waiting.
    func reap() -> [(pid: pid_t, status: Int32)]
    /// Our children other than `except`: descendants orphaned and re-parented to us (subreaper).
    func adoptedOrphans(except: pid_t?) -> [pid_t]
    /// Waits (bounded) until none of `targets` exists any more, reaping what dies.
    func awaitGone(_ targets: [ProcessTarget])
    /// Stops the launcher itself (job control); SIGCONT resumes it.
    func suspendSelf()
}

/// The kernel's processes: `posix_spawnp`, pidfds, kill(2), waitpid(2), /proc.
public final class LinuxProcesses: ProcessControl {
    /// pidfds of the children we started, until they are reaped.
    private var pidfds: [pid_t: FileDescriptor] = [:]
    /// False once pidfd_open(2) said it is missing (`pidfdsMissing`): not asked again.
    private var hasPidfds = true
    /// The children that are not ours to reap or stop.
    let ownership: ChildOwnership

    public init(ownership: ChildOwnership = .shared) { self.ownership = ownership }

    public func spawn(_ command: [String], environment: [String], ownGroup: Bool) throws(SpawnError) -> pid_t {
        let pid = try Spawn.spawn(command, environment: environment, ownGroup: ownGroup)
        let fd = hasPidfds ? csys_pidfd_open(pid) : -1
        if fd >= 0 { pidfds[pid] = FileDescriptor(fd) } else if Self.pidfdsMissing(errno) { hasPidfds = false }   // SIGCHLD alone tells us
        return pid
    }

    public func exitDescriptor(of pid: pid_t) -> Int32? { pidfds[pid]?.rawValue }

    public func send(_ signal: Int32, to target: ProcessTarget) -> Bool {
        switch target {
        case .process(let pid):
            // Through the pidfd when we hold one: it can never hit a recycled pid.
            if let fd = pidfds[pid] { return csys_pidfd_send_signal(fd.rawValue, signal) == 0 }
            return kill(pid, signal) == 0
        case .group(let group):
            return kill(-group, signal) == 0
        }
    }

    public func exists(_ target: ProcessTarget) -> Bool {
        switch target {
        case .process(let pid): return kill(pid, 0) == 0 || errno == EPERM
        case .group(let group): return kill(-group, 0) == 0 || errno == EPERM
        }
    }

    public func reap() -> [(pid: pid_t, status: Int32)] {
        // A child that other code owns (a credential helper, ChildOwnership) is reaped by its owner
        // only. The record is held for the whole pass, so none is started or released meanwhile.
        ownership.withOwned { owned in
            var result: [(pid: pid_t, status: Int32)] = []
            func collect(_ target: pid_t) -> pid_t? {
                var status: Int32 = 0
                guard let pid = try? retryingInterrupts({ waitpid(target, &status, WNOHANG) }), pid > 0 else { return nil }
                pidfds.removeValue(forKey: pid)?.close()
                result.append((pid, status))
                return pid
            }
            if owned.isEmpty {
                while collect(-1) != nil {}
            } else {
                // waitpid(-1) could take an owned child's status: ask each other child by its pid.
                let children = Self.hasChildren() ? (Self.childrenFromTasks() ?? Self.childrenFromProcScan()) : []
                for pid in Set(children + pidfds.keys) where !owned.contains(pid) { _ = collect(pid) }
            }
            return result
        }
    }

    public func adoptedOrphans(except: pid_t?) -> [pid_t] {
        // Only asked when a generation ends. Usually nothing is left: one waitid says so without
        // touching /proc (ECHILD: no child at all, whatever its state).
        guard Self.hasChildren() else { return [] }
        let children = Self.childrenFromTasks() ?? Self.childrenFromProcScan()
        // A credential helper running on the refresh thread is not an orphan of the command.
        return ownership.withOwned { owned in children.filter { $0 != except && !owned.contains($0) } }
    }

    /// Whether any child (running, stopped or exited) is ours.
    static func hasChildren() -> Bool {
        var info = siginfo_t()
        do {
            _ = try retryingInterrupts { waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) }
            return true
        } catch {
            return error.rawValue != ECHILD
        }
    }

    /// Our children as the kernel lists them per thread (/proc/self/task/TID/children, Linux ≥ 3.5 with
    /// CONFIG_PROC_CHILDREN); an orphan is re-parented to one of our threads. Nil when unavailable.
    static func childrenFromTasks() -> [pid_t]? {
        guard let dir = opendir("/proc/self/task") else { return nil }
        defer { closedir(dir) }
        var result: [pid_t] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard pid_t(name) != nil else { continue }
            guard let text = try? readSmallFile("/proc/self/task/\(name)/children", limit: 1 << 20) else { return nil }
            result += text.split(separator: UInt8(ascii: " ")).compactMap { pid_t(String(decoding: $0, as: UTF8.self)) }
        }
        return result
    }

    /// Every process whose parent is us: /proc/PID/stat field 4 (proc(5)), for kernels without `children`.
    static func childrenFromProcScan() -> [pid_t] {
        let me = getpid()
        var result: [pid_t] = []
        guard let dir = opendir("/proc") else { return [] }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let pid = pid_t(name), Self.parent(of: pid) == me else { continue }
            result.append(pid)
        }
        return result
    }

    static func parent(of pid: pid_t) -> pid_t? {
        let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        let owner = FileDescriptor(fd)
        var buffer = [UInt8](repeating: 0, count: 512)
        guard let n = try? retryingInterrupts({ buffer.withUnsafeMutableBytes { read(owner.rawValue, $0.baseAddress!, $0.count) } }),
              n > 0 else { return nil }
        let text = buffer[0..<n]
        // "PID (COMMAND) STATE PPID …": the command may hold spaces and parentheses; cut at the last ')'.
        guard let close = text.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = text[(close + 1)...].split(separator: UInt8(ascii: " "))
        guard fields.count > 1 else { return nil }
        return pid_t(String(decoding: fields[1], as: UTF8.self))
    }

    public func awaitGone(_ targets: [ProcessTarget]) {
        // SIGKILL is not instant: wait (at most `awaitGoneMillis`) for what we killed, reaping it, so
        // nothing outlives our exit. Never a blocking waitpid: it could take a child another owner
        // reaps (`ChildOwnership`).
        let clock = SystemClock()
        let deadline = clock.monotonicMillis() + Self.awaitGoneMillis
        while true {
            let reaped = reap()
            guard targets.contains(where: exists) else { return }
            let remaining = deadline - clock.monotonicMillis()
            guard remaining > 0 else { return }
            if !waitForChildExit(millis: min(remaining, Self.recheckMillis)), reaped.isEmpty { sleepMillis(1) }
        }
    }

    /// How long `awaitGone` waits at most.
    static let awaitGoneMillis: Int64 = 2000
    /// How often `awaitGone` looks again without a wake-up: a killed group member whose parent is
    /// not ours (it stays a zombie until that parent reaps it) ends without any child of ours exiting.
    static let recheckMillis: Int64 = 50

    /// Waits in poll(2) on the pidfds of our children (not another owner's) until one exits or
    /// `millis` pass. Every process we killed is such a child or descends from one that was killed
    /// too (the kernel re-parents it to us, a subreaper, when its parent dies), so each death wakes
    /// us at once. False when pidfds are missing (pidfd_open: ENOSYS before Linux 5.3).
    func waitForChildExit(millis: Int64) -> Bool {
        guard hasPidfds else { return false }
        let children = Self.hasChildren() ? (Self.childrenFromTasks() ?? Self.childrenFromProcScan()) : []
        let watched = ownership.withOwned { owned in children.filter { !owned.contains($0) } }
        var held: [FileDescriptor] = []
        for pid in watched {
            let fd = csys_pidfd_open(pid)
            if fd >= 0 { held.append(FileDescriptor(fd)) } else if Self.pidfdsMissing(errno) { hasPidfds = false; return false }
        }
        // pidfds are opened close-on-exec (pidfd_open(2)); `held` closes them.
        var fds = held.map { pollfd(fd: $0.rawValue, events: Int16(POLLIN), revents: 0) }
        // `held` must outlive the poll: its descriptors close when it is released.
        withExtendedLifetime(held) { _ = try? retryingInterrupts { poll(&fds, nfds_t(fds.count), Int32(clamping: millis)) } }
        return true
    }

    /// pidfd_open(2) is missing: ENOSYS before Linux 5.3, EPERM under a seccomp profile that forbids it
    /// (older container runtimes); it never fails so for a pid of ours otherwise.
    static func pidfdsMissing(_ error: Int32) -> Bool { error == ENOSYS || error == EPERM }

    public func suspendSelf() {
        // SIGSTOP cannot be blocked: the kernel stops us now and SIGCONT (fg) resumes us.
        kill(getpid(), SIGSTOP)
    }
}
