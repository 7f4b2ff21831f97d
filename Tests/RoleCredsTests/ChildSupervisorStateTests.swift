#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import RoleCreds

/// The supervisor's state through a whole run, with fake processes and a fake clock: which state each
/// event leads to, and the corners where a SIGTERM stop and a restart or the end meet.
@Suite("ChildSupervisor state")
struct ChildSupervisorStateTests {
    let clock = FakeClock()
    let processes = FakeProcesses()

    func supervisor(terminal: Bool = false) -> ChildSupervisor {
        ChildSupervisor(config: .init(command: ["cmd"], terminalMode: terminal, stopSignal: SIGINT, stopTimeoutMillis: 10_000),
                        processes: processes, clock: clock, log: Log(level: .quiet))
    }

    func signal(_ s: ChildSupervisor, _ sig: Int32, fromTerminal: Bool = false) {
        s.handle(ReceivedSignal(signal: sig, code: fromTerminal ? Int32(SI_KERNEL) : Int32(SI_USER), senderPid: fromTerminal ? 0 : 4242))
    }

    @Test func eachEventMovesTheStateOn() throws {
        let s = supervisor()
        #expect(s.state == .starting && !s.isRunning && s.child == nil)
        signal(s, SIGTERM)
        #expect(s.state == .starting && processes.sent.isEmpty, "nothing to stop before the start")
        try s.start(environment: ["GEN=1"])
        #expect(s.state == .running(100) && s.isRunning)
        s.restart(environment: ["GEN=2"])
        s.restart(environment: ["GEN=3"])
        #expect(s.state == .restarting(100, next: ["GEN=3"]) && s.isRunning)
        #expect(processes.signals(to: .group(100)) == [SIGINT], "a second restart request sends nothing more")
        processes.exit(100)
        signal(s, SIGCHLD)
        #expect(s.state == .running(200))
        #expect(processes.spawned.last?.environment == ["GEN=3"])
        signal(s, SIGTERM)
        #expect(s.state == .stopping(200, requested: true) && !s.isRunning)
        s.restart(environment: ["GEN=4"])
        #expect(s.state == .stopping(200, requested: true), "no restart once stopping")
        processes.exit(200, code: 5)
        signal(s, SIGCHLD)
        #expect(s.state == .exited(.exited(5), requested: true))
        #expect(s.finish() == .exited(5))
    }

    /// A Ctrl-C during a restart cancels it without escalating; a SIGTERM then starts the stop (the
    /// restart's deadline kept) and only a second one sends SIGKILL.
    @Test func aCancelledRestartEscalatesOnlyAfterItsOwnSIGTERM() throws {
        let s = supervisor(terminal: true)
        try s.start(environment: ["GEN=1"])
        s.restart(environment: ["GEN=2"])
        signal(s, SIGINT, fromTerminal: true)
        #expect(s.state == .stopping(100, requested: false))
        #expect(processes.signals(to: .process(100)) == [SIGINT], "the terminal's Ctrl-C is not forwarded again")
        signal(s, SIGTERM)
        #expect(processes.signals(to: .process(100)) == [SIGINT, SIGTERM])
        #expect(s.nextDeadline() == clock.now + 10_000, "the restart's deadline is kept")
        signal(s, SIGTERM)
        #expect(processes.signals(to: .process(100)) == [SIGINT, SIGTERM, SIGKILL])
        processes.exit(100, signal: SIGKILL)
        signal(s, SIGCHLD)
        #expect(processes.spawned.count == 1)
        #expect(s.finish() == .signaled(SIGKILL))
    }

    /// After the child exited, what it left behind is being stopped: a SIGTERM repeats the stop signal,
    /// a second one kills it, and the run ends with the child's status.
    @Test func afterTheChildIsGoneASecondSIGTERMKillsWhatItLeftBehind() throws {
        let s = supervisor()
        try s.start(environment: ["GEN=1"])
        processes.addHelper(150, group: 100)
        processes.exit(100, code: 3)
        signal(s, SIGCHLD)
        #expect(s.state == .exited(.exited(3), requested: false))
        #expect(processes.signals(to: .group(100)) == [SIGINT])
        signal(s, SIGTERM)
        #expect(processes.signals(to: .group(100)) == [SIGINT, SIGTERM])
        #expect(s.state == .exited(.exited(3), requested: true) && s.finish() == nil)
        signal(s, SIGTERM)
        #expect(processes.signals(to: .group(100)) == [SIGINT, SIGTERM, SIGKILL])
        #expect(s.finish() == .exited(3))
    }

    /// With a terminal, a SIGTERM the kernel generated is not ours to act on, yet it still cancels a restart.
    @Test func aTerminalsSIGTERMCancelsARestartWithoutBeingSent() throws {
        let s = supervisor(terminal: true)
        try s.start(environment: ["GEN=1"])
        s.restart(environment: ["GEN=2"])
        signal(s, SIGTERM, fromTerminal: true)
        #expect(s.state == .stopping(100, requested: false))
        #expect(processes.signals(to: .process(100)) == [SIGINT])
    }
}
