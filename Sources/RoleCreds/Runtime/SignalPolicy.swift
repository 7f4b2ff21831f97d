#if canImport(Glibc)
import Glibc
#endif

/// Every rule about signals in one place (spec §4, §5). Pure.
///
/// | signal | sent by | terminal | decision |
/// |---|---|---|---|
/// | any | the launcher itself (a write to a broken stderr raises SIGPIPE) | any | dropped on read (`isOwn`) |
/// | SIGCHLD | anyone | any | reap |
/// | SIGTSTP | kernel (Ctrl-Z) | yes | stop ourselves (the child got it too) |
/// | SIGTSTP | another process | yes | forward, then stop ourselves |
/// | SIGTSTP | anyone | no | forward |
/// | any other | kernel (Ctrl-C, Ctrl-\\, hang-up, window size) | yes | ignore: it reached the child directly |
/// | SIGTERM | another process / no terminal | any | stop procedure (second one: SIGKILL) |
/// | any other handled | another process / no terminal | any | forward to the child (its group without a terminal) |
///
/// SIGTERM, SIGINT, SIGHUP and SIGQUIT during a restart cancel it (`cancelsRestart`). The rotation
/// nudge (`--on-rotate signal:SIG`) goes to the child process alone, never its group.
public enum SignalPolicy {
    public enum Decision: Equatable, Sendable {
        /// Nothing: the kernel already delivered it to the child, or it is not forwarded.
        case ignore
        /// Reap exited children.
        case reap
        /// Send it on to the child (or its group).
        case forward
        /// Start the stop procedure (forward, then SIGKILL after the grace time); a second one escalates.
        case stop
        /// Stop the launcher too (job control), after forwarding when `forwardFirst`.
        case suspend(forwardFirst: Bool)
    }

    /// Signals never blocked or forwarded: faults must kill us normally, and terminal
    /// background-I/O stops are left to the kernel (it stops our whole process group).
    static func isUntouched(_ signal: Int32) -> Bool {
        // A switch, not a Set: this runs first thing at every start, where each generic type the
        // runtime meets for the first time (Set<Int32>, its hashing) costs start-up time (scripts/bench).
        switch signal {
        case SIGKILL, SIGSTOP, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS, SIGTTIN, SIGTTOU, SIGURG: return true
        default: return false
        }
    }

    /// Whether the launcher blocks `signal` and reads it from its signalfd: every catchable one but the
    /// untouched ones (and glibc's reserved 32 and 33).
    public static func isHandled(_ signal: Int32) -> Bool {
        signal >= 1 && signal <= 64 && signal != 32 && signal != 33 && !isUntouched(signal)
    }

    /// The signals the launcher blocks and reads from its signalfd (see `isHandled`).
    public static var handled: [Int32] {
        (1...Int32(64)).filter { isHandled($0) }
    }

    /// `fromOtherProcess`: the `ssi_code` is SI_USER, SI_QUEUE or SI_TKILL. With a controlling terminal,
    /// signals the kernel generated (Ctrl-C, Ctrl-\, window size, hang-up) already reached the child,
    /// which shares our process group, and are not forwarded again.
    public static func decide(signal: Int32, fromOtherProcess: Bool, terminalMode: Bool) -> Decision {
        if signal == SIGCHLD { return .reap }
        if signal == SIGTSTP {
            if terminalMode { return .suspend(forwardFirst: fromOtherProcess) }
            return .forward
        }
        if terminalMode && !fromOtherProcess { return .ignore }
        if signal == SIGTERM { return .stop }
        return .forward
    }

    /// True for a signal the launcher raised itself: the kernel's SIGPIPE for a write to a stderr
    /// whose reader is gone comes as SI_USER from our own pid. It is never forwarded nor acted on.
    public static func isOwn(_ received: ReceivedSignal, launcher: pid_t) -> Bool {
        received.senderPid == launcher
    }

    /// Signals that, sent to us during a restart, cancel it: we then exit with the old child's status.
    public static func cancelsRestart(_ signal: Int32) -> Bool {
        signal == SIGTERM || signal == SIGINT || signal == SIGHUP || signal == SIGQUIT
    }

    /// True for an `ssi_code` that means another process sent the signal.
    public static func isFromOtherProcess(code: Int32) -> Bool {
        code == SI_USER || code == SI_QUEUE || code == SI_TKILL
    }

    /// Whether a signal ends a process by default (used before a child exists: the launcher then
    /// ends the way it would without any handling).
    public static func terminatesByDefault(_ signal: Int32) -> Bool {
        ![SIGCHLD, SIGCONT, SIGWINCH, SIGURG, SIGTSTP, SIGTTIN, SIGTTOU, SIGSTOP].contains(signal)
    }
}
