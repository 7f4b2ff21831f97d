#if canImport(Glibc)
import Glibc
#endif
import CSystem

/// Something else the supervisor's poll loop serves (the credential endpoint, the refresh timer).
public protocol LoopParticipant: AnyObject {
    /// Descriptors to poll now.
    func descriptors() -> [pollfd]
    /// The next moment (monotonic ms) it must run even without I/O.
    func nextDeadline() -> Int64?
    /// Handles its polled descriptors (results of this round) and any timer that is due.
    func handle(_ fds: [pollfd])
}

/// Runs the command and stands between it and the world (spec §4): one thread, one `poll` loop over
/// the signalfd, a pidfd for the child and the participants' descriptors; the nearest deadline is
/// the poll time-out, so an idle launcher sleeps in the kernel.
public final class Supervisor {
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

    struct Child {
        let pid: pid_t
        let pidfd: Int32   // -1 when pidfd_open is unavailable: SIGCHLD alone then
    }

    let config: Config
    let signals: SignalFD
    let clock: any Clock
    let log: Log
    public var participants: [LoopParticipant] = []

    private var child: Child?
    private var outcome: ChildExit?
    /// Set while a stop is under way: when to send SIGKILL.
    private var killAt: Int64?
    /// A terminating request (SIGTERM and friends) from outside: we exit when the child is gone.
    private var terminating = false
    /// A SIGTERM from outside started a stop (a second one escalates).
    private var stopRequested = false
    /// The environment of the next child while a restart is under way.
    private var pendingRestart: [String]?
    /// Signals that, sent to us during a restart, cancel it: we then exit with the old child's status.
    static let terminatingSignals: Set<Int32> = [SIGTERM, SIGINT, SIGHUP, SIGQUIT]

    public init(config: Config, signals: SignalFD, clock: any Clock = SystemClock(), log: Log = Log()) {
        self.config = config; self.signals = signals; self.clock = clock; self.log = log
    }

    /// Starts the command with `environment`.
    public func start(environment: [String]) throws(SpawnError) {
        let pid = try Spawn.spawn(config.command, environment: environment, ownGroup: !config.terminalMode)
        let pidfd = csys_pidfd_open(pid)
        child = Child(pid: pid, pidfd: pidfd)
        group = config.terminalMode ? nil : pid
        outcome = nil
        log.debug("started \(config.command[0].quotable(limit: 80)) as pid \(pid)")
    }

    /// Stops the child the way a restart does (`--stop-signal`, then SIGKILL after `--stop-timeout`)
    /// and starts the command again with `environment` once the old one is reaped. Our own restarts
    /// never become the exit status.
    public func restart(environment: [String]) {
        guard child != nil, !terminating else { return }
        let already = pendingRestart != nil
        pendingRestart = environment
        if already { return }
        send(config.stopSignal)
        killAt = clock.monotonicMillis() + config.stopTimeoutMillis
    }

    /// Sends `signal` to the child (or its group), as `--on-rotate signal:SIG` does.
    public func signalChild(_ signal: Int32) { send(signal) }

    /// Runs the loop until the child ends; returns how it ended.
    public func run() -> ChildExit {
        while true {
            if let outcome {
                if terminating, let group {
                    // We were asked to stop and the child is gone, but the rest of its group got the
                    // stop signal too: it keeps the rest of the grace time to finish (a background
                    // server cleaning up), then nothing of it outlives us.
                    if killAt != nil && kill(-group, 0) == 0 {
                        pollOnce()
                        continue
                    }
                    kill(-group, SIGKILL)
                }
                return outcome
            }
            pollOnce()
        }
    }

    /// The child's process group while it may have members: without a terminal the child leads one.
    private var group: pid_t?

    /// One round: wait for the next event or deadline and handle it.
    func pollOnce() {
        var fds = [pollfd(fd: signals.fd, events: Int16(POLLIN), revents: 0)]
        if let child, child.pidfd >= 0 { fds.append(pollfd(fd: child.pidfd, events: Int16(POLLIN), revents: 0)) }
        let own = fds.count
        var ranges: [(LoopParticipant, Range<Int>)] = []
        for p in participants {
            let start = fds.count
            fds += p.descriptors()
            ranges.append((p, start..<fds.count))
        }
        var deadline = killAt
        for p in participants { if let d = p.nextDeadline() { deadline = min(deadline ?? d, d) } }
        let timeout = deadline.map { Int32(clamping: max(0, $0 - clock.monotonicMillis())) } ?? -1
        let n = poll(&fds, nfds_t(fds.count), timeout)
        if n < 0 && errno != EINTR { log.error("poll failed: \(Errno.current)"); sleepMillis(10) }
        if fds[0].revents != 0 {
            for received in signals.readAll() { handle(received) }
        }
        if own > 1 && fds[1].revents != 0 { reap() }
        if let at = killAt, clock.monotonicMillis() >= at {
            killAt = nil
            let name = config.command[0].quotable(limit: 80)
            let grace = DurationText.format(millis: config.stopTimeoutMillis)
            if child != nil {
                log.warn("\(name) did not stop within \(grace); sending SIGKILL")
            } else {
                log.warn("processes that \(name) left in its process group did not stop within \(grace); sending SIGKILL")
            }
            send(SIGKILL)
        }
        for (p, range) in ranges { p.handle(Array(fds[range])) }
    }

    func handle(_ received: ReceivedSignal) {
        let fromOther = SignalPolicy.isFromOtherProcess(code: received.code)
        let decision = SignalPolicy.decide(signal: received.signal, fromOtherProcess: fromOther, terminalMode: config.terminalMode)
        if pendingRestart != nil && Self.terminatingSignals.contains(received.signal) && decision != .reap {
            // A terminating signal cancels the restart: the old child is stopped and its status is ours.
            log.debug("\(SignalName.name(received.signal)) during a restart: not starting the command again")
            pendingRestart = nil
            terminating = true
        }
        switch decision {
        case .ignore:
            break
        case .reap:
            reap()
        case .forward:
            send(received.signal)
        case .stop:
            terminating = true
            if stopRequested && killAt != nil {
                log.warn("second SIGTERM: sending SIGKILL")
                killAt = nil
                send(SIGKILL)
            } else {
                stopRequested = true
                send(received.signal)
                // A restart's stop already runs: its deadline stands.
                if killAt == nil { killAt = clock.monotonicMillis() + config.stopTimeoutMillis }
            }
        case .suspend(let forwardFirst):
            if forwardFirst { send(SIGTSTP) }
            // SIGSTOP cannot be blocked: the kernel stops us now and SIGCONT (fg) resumes us.
            kill(getpid(), SIGSTOP)
        }
    }

    /// Sends `signal` to the child, or to its whole group when it leads one (also while the rest of
    /// the group finishes a stop after the child).
    func send(_ signal: Int32) {
        if let group {
            kill(-group, signal)
        } else if let child {
            if child.pidfd >= 0 { _ = csys_pidfd_send_signal(child.pidfd, signal) } else { kill(child.pid, signal) }
        }
    }

    /// Collects every exited descendant (we are a subreaper) and notes the child's status.
    func reap() {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            if pid <= 0 {
                if pid < 0 && errno == EINTR { continue }
                return
            }
            guard let child, pid == child.pid, let exit = ChildExit(waitStatus: status) else { continue }
            if child.pidfd >= 0 { _ = Glibc.close(child.pidfd) }
            self.child = nil
            // A stop under way goes on for the rest of the child's group (see `run`).
            if !terminating { killAt = nil }
            if let environment = pendingRestart {
                pendingRestart = nil
                do {
                    try start(environment: environment)
                    continue
                } catch {
                    log.error("restart failed: \(error)")
                    outcome = .exited(error.status)
                    return
                }
            }
            outcome = exit
        }
    }
}
