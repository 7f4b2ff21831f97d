#if canImport(Glibc)
import Glibc
#endif

/// What the rotator may do to the command: the narrow interface between rotation and supervision.
public protocol ChildControl: AnyObject {
    /// Whether a child runs and no stop of the launcher is under way.
    var isRunning: Bool { get }
    /// Stops the child (and what it started) and starts the command again with `environment`.
    func restart(environment: [String])
    /// Sends `signal` to the child process alone, not its group (a "refresh now" nudge).
    func signal(_ signal: Int32)
}

/// The command's state machine (spec §4, §5): starts it, forwards signals, stops it (stop signal,
/// then SIGKILL after `--stop-timeout`), restarts it, and at the end stops whatever it left behind.
/// It lives in the event loop as a participant (the child's pidfd, the SIGKILL deadlines) and
/// reaches the kernel only through `ProcessControl`, so tests drive it with a fake clock and fake
/// processes.
///
/// Every process group it creates is remembered until it is empty: a restart stops the old
/// generation's whole group, and the next generation starts when the old child is reaped; what is
/// left of the old group gets SIGKILL at its deadline. At the end every group we created, and
/// every orphan re-parented to us (we are a subreaper), gets the same stop procedure.
public final class ChildSupervisor: LoopParticipant, ChildControl {
    public struct Config: Sendable {
        public var command: [String]
        /// A controlling terminal exists: the child stays in our process group and only signals from
        /// other processes are forwarded. Without one the child leads its own group.
        public var terminalMode: Bool
        public var stopSignal: Int32
        public var stopTimeoutMillis: Int64
        public init(command: [String], terminalMode: Bool, stopSignal: Int32, stopTimeoutMillis: Int64) {
            self.command = command; self.terminalMode = terminalMode
            self.stopSignal = stopSignal; self.stopTimeoutMillis = stopTimeoutMillis
        }
    }

    let config: Config
    let processes: any ProcessControl
    let clock: any Clock
    let log: Log

    /// The running child's pid.
    public private(set) var child: pid_t?
    /// Groups we created that may still have members (without a terminal: one per generation).
    private(set) var groups: [pid_t] = []
    /// Stop procedures under way: when each target gets SIGKILL (monotonic ms).
    private(set) var stops: [ProcessTarget: Int64] = [:]
    /// Targets that got SIGKILL: waited for before we exit.
    private var killed: [ProcessTarget] = []
    /// The environment of the next child while a restart is under way.
    private var pendingRestart: [String]?
    /// A terminating request from outside: no more restarts; we exit when the child is gone.
    private var terminating = false
    /// A SIGTERM from outside started a stop (a second one escalates).
    private var stopRequested = false
    /// How the child ended; the end procedure for its leftovers runs from then on.
    private var outcome: ChildExit?

    public init(config: Config, processes: any ProcessControl, clock: any Clock = SystemClock(), log: Log = Log()) {
        self.config = config; self.processes = processes; self.clock = clock; self.log = log
    }

    /// How the run ended, once the child is gone and nothing it left behind remains; nil before.
    /// The loop runs until it returns a value (it waits briefly for what got SIGKILL to be gone).
    public func finish() -> ChildExit? {
        guard let outcome, stops.isEmpty else { return nil }
        processes.awaitGone(killed)
        killed = []
        return outcome
    }

    public var isRunning: Bool { child != nil && !terminating && outcome == nil }

    /// Starts the command with `environment`.
    public func start(environment: [String]) throws(SpawnError) {
        let pid = try processes.spawn(config.command, environment: environment, ownGroup: !config.terminalMode)
        child = pid
        if !config.terminalMode { groups.append(pid) }
        log.debug("started \(name) as pid \(pid)")
    }

    public func restart(environment: [String]) {
        guard child != nil, !terminating, outcome == nil else { return }
        let already = pendingRestart != nil
        pendingRestart = environment
        if already { return }
        if let target = childTarget { beginStop(target, signal: config.stopSignal) }
    }

    public func signal(_ signal: Int32) {
        if let child { processes.send(signal, to: .process(child)) }
    }

    // MARK: loop participant

    public func descriptors() -> [pollfd] {
        guard let child, let fd = processes.exitDescriptor(of: child) else { return [] }
        return [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
    }

    public func nextDeadline() -> Int64? { stops.values.min() }

    public func handle(_ fds: [pollfd]) {
        if fds.contains(where: { $0.revents != 0 }) { reapChildren() }
        tick()
    }

    /// Acts on one signal received by the launcher (see `SignalPolicy`).
    public func handle(_ received: ReceivedSignal) {
        let fromOther = SignalPolicy.isFromOtherProcess(code: received.code)
        let decision = SignalPolicy.decide(signal: received.signal, fromOtherProcess: fromOther, terminalMode: config.terminalMode)
        if pendingRestart != nil && SignalPolicy.cancelsRestart(received.signal) && decision != .reap {
            // A terminating signal cancels the restart: the old child is stopped and its status is ours.
            log.debug("\(SignalName.name(received.signal)) during a restart: not starting the command again")
            pendingRestart = nil
            terminating = true
        }
        switch decision {
        case .ignore:
            break
        case .reap:
            reapChildren()
        case .forward:
            forward(received.signal)
        case .stop:
            terminating = true
            if stopRequested && !stops.isEmpty {
                log.warn("second SIGTERM: sending SIGKILL")
                for target in Array(stops.keys) { kill(target) }
            } else {
                stopRequested = true
                // A stop already under way (a restart's) keeps its deadline.
                for target in activeTargets { beginStop(target, signal: received.signal) }
            }
        case .suspend(let forwardFirst):
            if forwardFirst { forward(SIGTSTP) }
            processes.suspendSelf()
        }
    }

    // MARK: the state machine

    private var name: String { config.command[0].quotable(limit: 80) }

    /// The current child's signal target: its group when it leads one, else the process.
    private var childTarget: ProcessTarget? {
        guard let child else { return nil }
        return config.terminalMode ? .process(child) : .group(child)
    }

    /// Where forwarded signals go: the child (or its group), or once it is gone, whatever of its
    /// generations is still being stopped.
    private var activeTargets: [ProcessTarget] {
        if let childTarget { return [childTarget] }
        return Array(stops.keys)
    }

    private func forward(_ signal: Int32) {
        for target in activeTargets { processes.send(signal, to: target) }
    }

    /// Sends `signal` to `target` and, unless a stop already runs for it, sets its SIGKILL deadline.
    private func beginStop(_ target: ProcessTarget, signal: Int32) {
        guard processes.send(signal, to: target) else { stops[target] = nil; return }
        if stops[target] == nil { stops[target] = clock.monotonicMillis() + config.stopTimeoutMillis }
    }

    private func kill(_ target: ProcessTarget) {
        stops[target] = nil
        if processes.send(SIGKILL, to: target) { killed.append(target) }
    }

    /// Sends SIGKILL to every target whose stop deadline has passed.
    func tick() {
        let now = clock.monotonicMillis()
        for (target, at) in stops where at <= now {
            let grace = DurationText.format(millis: config.stopTimeoutMillis)
            if target == childTarget {
                log.warn("\(name) did not stop within \(grace); sending SIGKILL")
            } else if processes.exists(target) {
                log.warn("processes that \(name) left behind did not stop within \(grace); sending SIGKILL")
            }
            kill(target)
        }
    }

    /// Collects every exited descendant and moves the state machine on when the child is among them.
    func reapChildren() {
        for (pid, status) in processes.reap() {
            stops[.process(pid)] = nil
            guard pid == child, let exit = ChildExit(waitStatus: status) else { continue }
            child = nil
            if let environment = pendingRestart, !terminating {
                pendingRestart = nil
                // Its group keeps its deadline (see `stops`). With a terminal there is no group:
                // what the old child left behind was re-parented to us and gets the same stop.
                if config.terminalMode { stopOrphans() }
                do {
                    try start(environment: environment)
                } catch {
                    log.error("restart failed: \(error)")
                    end(with: .exited(error.status))
                }
                continue
            }
            end(with: exit)
        }
        pruneGroups()
    }

    /// The child is gone for good: stop every group we created and every orphan we adopted.
    private func end(with exit: ChildExit) {
        guard outcome == nil else { return }
        outcome = exit
        pendingRestart = nil
        pruneGroups()
        for group in groups where stops[.group(group)] == nil { beginStop(.group(group), signal: config.stopSignal) }
        stopOrphans()
    }

    private func stopOrphans() {
        for orphan in processes.adoptedOrphans(except: child) where stops[.process(orphan)] == nil {
            beginStop(.process(orphan), signal: config.stopSignal)
        }
    }

    /// Forgets groups that have no member left (so a recycled group id is never signalled).
    private func pruneGroups() {
        groups.removeAll { group in
            guard group != child, !processes.exists(.group(group)) else { return false }
            stops[.group(group)] = nil
            return true
        }
    }
}
