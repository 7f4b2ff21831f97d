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
/// processes. What a signal does is `SignalPolicy`'s table; this type only carries it out.
///
/// Besides the child it owns a `StopList`: every process group it created, kept until it is empty
/// (a restart stops the old generation's whole group, and the next generation starts when the old
/// child is reaped; what is left of the old group gets SIGKILL at its deadline), and at the end every
/// group we created and every orphan re-parented to us (we are a subreaper), under the same stop
/// procedure. Children that other code started (`ChildOwnership`) are never in it.
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

    /// Where the run is. `requested`: a SIGTERM from outside asked for the stop, so the next one
    /// sends SIGKILL (see `SignalPolicy.Phase.stopping`).
    enum State: Equatable {
        /// Not started yet.
        case starting
        /// The child `pid` runs.
        case running(pid_t)
        /// `pid` is being stopped; once it is reaped the command starts again with `next`.
        case restarting(pid_t, next: [String])
        /// No restart any more: we exit when `pid` is gone (it is being stopped, or it got a
        /// terminating signal that cancelled a restart).
        case stopping(pid_t, requested: Bool)
        /// The child is gone and the run ends with `outcome` once nothing it left behind remains.
        case exited(ChildExit, requested: Bool)
    }

    let config: Config
    let processes: any ProcessControl
    let clock: any Clock
    let log: Log
    private(set) var state = State.starting
    /// The groups we created and the stop procedures under way.
    private(set) var stops = StopList()

    public init(config: Config, processes: any ProcessControl, clock: any Clock = SystemClock(), log: Log = Log()) {
        self.config = config; self.processes = processes; self.clock = clock; self.log = log
    }

    /// The child's pid while it exists.
    public var child: pid_t? {
        switch state {
        case .running(let pid), .restarting(let pid, _), .stopping(let pid, _): return pid
        case .starting, .exited: return nil
        }
    }

    public var isRunning: Bool {
        switch state {
        case .running, .restarting: return true
        case .starting, .stopping, .exited: return false
        }
    }

    /// How the run ended, once the child is gone and nothing it left behind remains; nil before.
    /// The loop runs until it returns a value (it waits briefly for what got SIGKILL to be gone).
    public func finish() -> ChildExit? {
        guard case .exited(let outcome, _) = state, stops.isEmpty else { return nil }
        processes.awaitGone(stops.takeKilled())
        return outcome
    }

    /// Starts the command with `environment`.
    public func start(environment: [String]) throws(SpawnError) {
        let pid = try processes.spawn(config.command, environment: environment, ownGroup: !config.terminalMode)
        state = .running(pid)
        if !config.terminalMode { stops.created(group: pid) }
        log.debug("started \(name) as pid \(pid)")
    }

    public func restart(environment: [String]) {
        switch state {
        case .running(let pid):
            state = .restarting(pid, next: environment)
            if let target = childTarget { beginStop(target, signal: config.stopSignal) }
        case .restarting(let pid, _):
            state = .restarting(pid, next: environment)
        case .starting, .stopping, .exited:
            break
        }
    }

    public func signal(_ signal: Int32) {
        if let child { processes.send(signal, to: .process(child)) }
    }

    // MARK: loop participant

    public func descriptors() -> [pollfd] {
        guard let child, let fd = processes.exitDescriptor(of: child) else { return [] }
        return [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
    }

    public func nextDeadline() -> Int64? { stops.nextDeadline }

    public func handle(_ fds: [pollfd]) {
        if fds.contains(where: { $0.revents != 0 }) { reapChildren() }
        tick()
    }

    /// Acts on one signal received by the launcher, as `SignalPolicy`'s table says for the phase we are in.
    public func handle(_ received: ReceivedSignal) {
        let signal = received.signal
        let decision = SignalPolicy.decide(signal: signal, fromOtherProcess: SignalPolicy.isFromOtherProcess(code: received.code),
                                           terminalMode: config.terminalMode, phase: phase)
        if case .restarting(let pid, _) = state, SignalPolicy.rule(signal).cancelsRestart {
            log.debug("\(SignalName.name(signal)) during a restart: not starting the command again")
            state = .stopping(pid, requested: false)
        }
        switch decision {
        case .ignore, .exit:
            break
        case .reap:
            reapChildren()
        case .forward:
            forward(signal)
        case .stop:
            requestStop(signal)
        case .kill:
            log.warn("second SIGTERM: sending SIGKILL")
            for target in stops.targets { stops.kill(target, processes: processes) }
        case .suspend(let forwardFirst):
            if forwardFirst { forward(SIGTSTP) }
            processes.suspendSelf()
        }
    }

    // MARK: the state machine

    private var name: String { config.command[0].quotable(limit: 80) }

    /// The table's phase: `.stopping` only while a stop that a SIGTERM asked for still has something to stop.
    private var phase: SignalPolicy.Phase {
        switch state {
        case .starting: return .starting
        case .running: return .running
        case .restarting: return .restarting
        case .stopping(_, let requested), .exited(_, let requested): return requested && !stops.isEmpty ? .stopping : .running
        }
    }

    /// The current child's signal target: its group when it leads one, else the process.
    private var childTarget: ProcessTarget? {
        guard let child else { return nil }
        return config.terminalMode ? .process(child) : .group(child)
    }

    /// Where forwarded signals go: the child (or its group), or once it is gone, whatever of its
    /// generations is still being stopped.
    private var activeTargets: [ProcessTarget] {
        if let childTarget { return [childTarget] }
        return stops.targets
    }

    private func forward(_ signal: Int32) {
        for target in activeTargets { processes.send(signal, to: target) }
    }

    private func beginStop(_ target: ProcessTarget, signal: Int32) {
        stops.begin(target, signal: signal, deadline: clock.monotonicMillis() + config.stopTimeoutMillis, processes: processes)
    }

    /// A SIGTERM from outside: no more restarts, stop what runs (a stop already under way, a
    /// restart's, keeps its deadline).
    private func requestStop(_ signal: Int32) {
        switch state {
        case .starting: return
        case .running(let pid), .restarting(let pid, _), .stopping(let pid, _): state = .stopping(pid, requested: true)
        case .exited(let outcome, _): state = .exited(outcome, requested: true)
        }
        for target in activeTargets { beginStop(target, signal: signal) }
    }

    /// Sends SIGKILL to every target whose stop deadline has passed.
    func tick() {
        let grace = DurationText.format(millis: config.stopTimeoutMillis)
        for target in stops.due(clock.monotonicMillis()) {
            if target == childTarget {
                log.warn("\(name) did not stop within \(grace); sending SIGKILL")
            } else if processes.exists(target) {
                log.warn("processes that \(name) left behind did not stop within \(grace); sending SIGKILL")
            }
            stops.kill(target, processes: processes)
        }
    }

    /// Collects every exited descendant and moves the state machine on when the child is among them.
    func reapChildren() {
        for (pid, status) in processes.reap() {
            stops.reaped(pid)
            guard pid == child, let exit = ChildExit(waitStatus: status) else { continue }
            switch state {
            case .restarting(_, let next): startNext(next)
            case .stopping(_, let requested): end(with: exit, requested: requested)
            case .running, .starting, .exited: end(with: exit, requested: false)
            }
        }
        stops.pruneGroups(except: child, processes: processes)
    }

    /// The old generation is reaped: its group keeps its deadline (see `StopList`). With a terminal
    /// there is no group: what the old child left behind was re-parented to us and gets the same stop.
    private func startNext(_ environment: [String]) {
        state = .starting
        if config.terminalMode { stopOrphans() }
        do {
            try start(environment: environment)
        } catch {
            log.error("restart failed: \(error)")
            end(with: .exited(error.status), requested: false)
        }
    }

    /// The child is gone for good: stop every group we created and every orphan we adopted.
    private func end(with exit: ChildExit, requested: Bool) {
        state = .exited(exit, requested: requested)
        stops.pruneGroups(except: nil, processes: processes)
        for group in stops.groups where !stops.isStopping(.group(group)) { beginStop(.group(group), signal: config.stopSignal) }
        stopOrphans()
    }

    private func stopOrphans() {
        for orphan in processes.adoptedOrphans(except: child) where !stops.isStopping(.process(orphan)) {
            beginStop(.process(orphan), signal: config.stopSignal)
        }
    }
}
