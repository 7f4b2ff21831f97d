import Testing
@testable import RoleCreds
#if canImport(Glibc)
import Glibc
#endif

struct SignalCase: Sendable, CustomTestStringConvertible {
    let signal: Int32
    let terminal: Bool
    let fromOther: Bool
    let decision: SignalPolicy.Decision
    init(_ signal: Int32, terminal: Bool, fromOther: Bool, _ decision: SignalPolicy.Decision) {
        self.signal = signal; self.terminal = terminal; self.fromOther = fromOther; self.decision = decision
    }
    var testDescription: String {
        "\(SignalName.name(signal)) \(terminal ? "with" : "without") a terminal, from \(fromOther ? "another process" : "the kernel")"
    }
}

@Suite("SignalPolicy")
struct SignalPolicyTests {
    // Spec §4. With a terminal, the child shares our process group, so the terminal's own signals already
    // reached it: only signals from another process are forwarded. Without one, everything is forwarded.
    static let table: [SignalCase] = [
        // SIGTERM: the stop procedure, unless the terminal's process group already got it
        SignalCase(SIGTERM, terminal: true, fromOther: true, .stop),
        SignalCase(SIGTERM, terminal: true, fromOther: false, .ignore),
        SignalCase(SIGTERM, terminal: false, fromOther: true, .stop),
        SignalCase(SIGTERM, terminal: false, fromOther: false, .stop),
        // SIGTSTP: Ctrl-Z stops launcher and child together; `kill -TSTP` from elsewhere is passed on first
        SignalCase(SIGTSTP, terminal: true, fromOther: true, .suspend(forwardFirst: true)),
        SignalCase(SIGTSTP, terminal: true, fromOther: false, .suspend(forwardFirst: false)),
        SignalCase(SIGTSTP, terminal: false, fromOther: true, .forward),
        SignalCase(SIGTSTP, terminal: false, fromOther: false, .forward),
        // SIGCHLD: always a reap, never forwarded
        SignalCase(SIGCHLD, terminal: true, fromOther: true, .reap),
        SignalCase(SIGCHLD, terminal: true, fromOther: false, .reap),
        SignalCase(SIGCHLD, terminal: false, fromOther: true, .reap),
        SignalCase(SIGCHLD, terminal: false, fromOther: false, .reap),
        // SIGINT: Ctrl-C reaches the child once, directly
        SignalCase(SIGINT, terminal: true, fromOther: true, .forward),
        SignalCase(SIGINT, terminal: true, fromOther: false, .ignore),
        SignalCase(SIGINT, terminal: false, fromOther: true, .forward),
        SignalCase(SIGINT, terminal: false, fromOther: false, .forward),
        // SIGHUP: a terminal hang-up reaches the foreground group itself
        SignalCase(SIGHUP, terminal: true, fromOther: true, .forward),
        SignalCase(SIGHUP, terminal: true, fromOther: false, .ignore),
        SignalCase(SIGHUP, terminal: false, fromOther: true, .forward),
        SignalCase(SIGHUP, terminal: false, fromOther: false, .forward),
        // SIGUSR1: only forwarded
        SignalCase(SIGUSR1, terminal: true, fromOther: true, .forward),
        SignalCase(SIGUSR1, terminal: true, fromOther: false, .ignore),
        SignalCase(SIGUSR1, terminal: false, fromOther: true, .forward),
        SignalCase(SIGUSR1, terminal: false, fromOther: false, .forward),
        // SIGWINCH: the terminal tells the whole foreground group
        SignalCase(SIGWINCH, terminal: true, fromOther: true, .forward),
        SignalCase(SIGWINCH, terminal: true, fromOther: false, .ignore),
        SignalCase(SIGWINCH, terminal: false, fromOther: true, .forward),
        SignalCase(SIGWINCH, terminal: false, fromOther: false, .forward),
        // SIGQUIT (Ctrl-\) like SIGINT
        SignalCase(SIGQUIT, terminal: true, fromOther: false, .ignore),
        SignalCase(SIGQUIT, terminal: false, fromOther: false, .forward),
        SignalCase(SIGQUIT, terminal: true, fromOther: true, .forward),
        // other signals are only forwarded, never a stop
        SignalCase(SIGUSR2, terminal: false, fromOther: true, .forward),
        SignalCase(SIGALRM, terminal: false, fromOther: true, .forward),
        SignalCase(SIGCONT, terminal: false, fromOther: true, .forward),
        SignalCase(SIGPIPE, terminal: false, fromOther: true, .forward),
        SignalCase(realtimeSignal, terminal: true, fromOther: true, .forward),
    ]

    @Test(arguments: table)
    func decides(_ c: SignalCase) {
        #expect(SignalPolicy.decide(signal: c.signal, fromOtherProcess: c.fromOther, terminalMode: c.terminal, phase: .running) == c.decision)
    }

    @Test func onlySIGTERMStops() {
        for signal in SignalPolicy.handled where signal != SIGTERM {
            for terminal in [true, false] {
                for fromOther in [true, false] {
                    #expect(SignalPolicy.decide(signal: signal, fromOtherProcess: fromOther, terminalMode: terminal, phase: .running) != .stop,
                            "\(SignalName.name(signal))")
                }
            }
        }
    }

    @Test func handledSignals() {
        let handled = SignalPolicy.handled
        for signal in [SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGCHLD, SIGTSTP, SIGCONT, SIGWINCH, SIGPIPE,
                       SIGALRM, SIGVTALRM, SIGPROF, SIGXCPU, SIGXFSZ, SIGPWR, SIGIO, SIGABRT, 34, 64] {
            #expect(handled.contains(signal), "\(SignalName.name(signal)) is not handled")
        }
        // faults, the uncatchable ones, terminal background I/O, SIGURG and glibc's reserved 32 and 33
        for signal in [SIGKILL, SIGSTOP, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS, SIGTTIN, SIGTTOU, SIGURG, 32, 33] {
            #expect(!handled.contains(signal), "\(SignalName.name(signal)) must not be handled")
        }
        #expect(Set(handled).count == handled.count)
        #expect(handled.allSatisfy { (1...64).contains($0) })
    }

    @Test(arguments: [
        (Int32(SI_USER), true), (Int32(SI_QUEUE), true), (Int32(SI_TKILL), true),
        (Int32(SI_KERNEL), false), (Int32(SI_TIMER), false), (Int32(SI_MESGQ), false), (Int32(SI_ASYNCIO), false),
        (Int32(SI_SIGIO), false), (1, false),
    ] as [(Int32, Bool)])
    func fromOtherProcess(_ code: Int32, _ expected: Bool) {
        #expect(SignalPolicy.isFromOtherProcess(code: code) == expected)
    }

    @Test(arguments: [
        (SIGTERM, true), (SIGINT, true), (SIGHUP, true), (SIGQUIT, true), (SIGUSR1, true), (SIGUSR2, true), (SIGALRM, true),
        (SIGPIPE, true), (SIGKILL, true), (SIGABRT, true), (34, true),
        (SIGCHLD, false), (SIGCONT, false), (SIGWINCH, false), (SIGURG, false), (SIGTSTP, false), (SIGTTIN, false),
        (SIGTTOU, false), (SIGSTOP, false),
    ] as [(Int32, Bool)])
    func terminatesByDefault(_ signal: Int32, _ terminates: Bool) {
        #expect((SignalPolicy.rule(signal).starting == .exit) == terminates)
    }

    /// The kernel's SIGPIPE for our own write to a broken stderr comes as SI_USER from our pid.
    @Test func ownSignalsAreNeverActedOn() {
        let me: pid_t = 4321
        #expect(SignalPolicy.isOwn(ReceivedSignal(signal: SIGPIPE, code: Int32(SI_USER), senderPid: me), launcher: me))
        #expect(!SignalPolicy.isOwn(ReceivedSignal(signal: SIGPIPE, code: Int32(SI_USER), senderPid: 1234), launcher: me))
        #expect(!SignalPolicy.isOwn(ReceivedSignal(signal: SIGINT, code: 128, senderPid: 0), launcher: me))
    }

    @Test(arguments: [(SIGTERM, true), (SIGINT, true), (SIGHUP, true), (SIGQUIT, true), (SIGUSR1, false), (SIGWINCH, false)] as [(Int32, Bool)])
    func cancelsRestart(_ signal: Int32, _ cancels: Bool) {
        #expect(SignalPolicy.rule(signal).cancelsRestart == cancels)
    }
}

/// The first real-time signal after glibc's reserved ones.
private let realtimeSignal: Int32 = 35
