#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import RoleCreds

/// The child's state machine with fake processes and a fake clock (spec §4, §5): restarts stop the
/// old generation's whole group, terminating signals, the end procedure for what is left behind.
@Suite("ChildSupervisor")
struct ChildSupervisorTests {
    let clock = FakeClock()
    let processes = FakeProcesses()

    func supervisor(terminal: Bool = false) throws -> ChildSupervisor {
        let s = ChildSupervisor(config: .init(command: ["cmd"], terminalMode: terminal, stopSignal: SIGTERM, stopTimeoutMillis: 10_000),
                                processes: processes, clock: clock, log: Log(level: .quiet))
        try s.start(environment: ["GEN=1"])
        return s
    }

    func signal(_ s: ChildSupervisor, _ sig: Int32) {
        s.handle(ReceivedSignal(signal: sig, code: Int32(SI_USER), senderPid: 4242))
    }

    /// Lets the clock pass the nearest deadline and runs the participant as the loop would.
    func passDeadline(_ s: ChildSupervisor) {
        if let at = s.nextDeadline() { clock.now = at }
        s.handle([])
    }

    @Test func restartStopsTheOldGroupAndKillsItsLeftoversAfterTheTimeout() throws {
        let s = try supervisor()
        processes.addHelper(150, group: 100)            // ignores SIGTERM
        s.restart(environment: ["GEN=2"])
        #expect(processes.signals(to: .group(100)) == [SIGTERM])
        #expect(processes.spawned.count == 1, "the new child waits for the old one to go")
        processes.exit(100, code: 0)
        signal(s, SIGCHLD)
        #expect(processes.spawned.map(\.environment) == [["GEN=1"], ["GEN=2"]])
        #expect(s.child == 200)
        // The old generation's helper gets SIGKILL at the old deadline, the new group nothing.
        clock.advance(9_999); s.handle([])
        #expect(!processes.signals(to: .group(100)).contains(SIGKILL))
        clock.advance(1); s.handle([])
        #expect(processes.signals(to: .group(100)) == [SIGTERM, SIGKILL])
        #expect(processes.signals(to: .group(200)).isEmpty)
        #expect(s.isRunning && s.finish() == nil)
    }

    @Test func severalRestartsEachStopTheirOwnGeneration() throws {
        let s = try supervisor()
        for generation in 1...3 {
            let pid = pid_t(generation * 100)
            processes.addHelper(pid + 50, group: pid)
            s.restart(environment: ["GEN=\(generation + 1)"])
            processes.exit(pid)
            signal(s, SIGCHLD)
        }
        passDeadline(s); passDeadline(s); passDeadline(s)
        for pid in [100, 200, 300] as [pid_t] { #expect(processes.signals(to: .group(pid)) == [SIGTERM, SIGKILL], "group \(pid)") }
        #expect(processes.signals(to: .group(400)).isEmpty)
        #expect(s.child == 400)
    }

    @Test func aChildThatIgnoresTheStopSignalIsKilledThenReplaced() throws {
        let s = try supervisor()
        s.restart(environment: ["GEN=2"])
        passDeadline(s)
        #expect(processes.signals(to: .group(100)) == [SIGTERM, SIGKILL])
        processes.exit(100, signal: SIGKILL)
        signal(s, SIGCHLD)
        #expect(s.child == 200)
        #expect(s.finish() == nil, "our own restarts never become the exit status")
    }

    @Test func aTerminatingSignalDuringARestartCancelsIt() throws {
        let s = try supervisor()
        s.restart(environment: ["GEN=2"])
        signal(s, SIGINT)
        processes.exit(100, code: 3)
        signal(s, SIGCHLD)
        #expect(processes.spawned.count == 1)
        #expect(s.finish() == .exited(3))
    }

    @Test func theEndStopsEveryGroupAndOrphanLeftBehind() throws {
        let s = try supervisor()
        processes.addHelper(150, group: 100)            // a background job of the child
        processes.addHelper(170, group: 170)            // a daemon in a session of its own, adopted by us
        processes.orphans = [150, 170]
        processes.exit(100, code: 0)
        signal(s, SIGCHLD)
        #expect(processes.signals(to: .group(100)) == [SIGTERM])
        #expect(processes.signals(to: .process(170)) == [SIGTERM])
        #expect(s.finish() == nil, "exits only when nothing is left")
        passDeadline(s)
        #expect(processes.signals(to: .group(100)) == [SIGTERM, SIGKILL])
        #expect(processes.signals(to: .process(170)) == [SIGTERM, SIGKILL])
        #expect(s.finish() == .exited(0))
    }

    @Test func aChildThatLeavesNothingBehindEndsAtOnce() throws {
        let s = try supervisor()
        processes.exit(100, code: 7)
        signal(s, SIGCHLD)
        #expect(s.finish() == .exited(7))
        #expect(!processes.sent.contains { $0.0 == SIGKILL })
    }

    @Test func sigtermStopsAndASecondOneEscalates() throws {
        let s = try supervisor()
        signal(s, SIGTERM)
        #expect(processes.signals(to: .group(100)) == [SIGTERM])
        #expect(!s.isRunning)
        signal(s, SIGTERM)
        #expect(processes.signals(to: .group(100)) == [SIGTERM, SIGKILL])
    }

    @Test func theRotationNudgeGoesToTheChildProcessOnly() throws {
        let s = try supervisor()
        s.signal(SIGHUP)
        #expect(processes.signals(to: .process(100)) == [SIGHUP])
        #expect(processes.signals(to: .group(100)).isEmpty)
    }

    @Test func forwardedSignalsGoToTheGroupWithoutATerminalAndToTheChildWithOne() throws {
        let s = try supervisor()
        signal(s, SIGUSR1)
        #expect(processes.signals(to: .group(100)) == [SIGUSR1])
        let t = try supervisor(terminal: true)
        signal(t, SIGUSR2)
        #expect(processes.signals(to: .process(200)) == [SIGUSR2])
    }

    @Test func withATerminalARestartStopsWhatTheOldChildLeftBehind() throws {
        let s = try supervisor(terminal: true)
        processes.addHelper(150, group: 1)
        processes.orphans = [150]
        s.restart(environment: ["GEN=2"])
        #expect(processes.signals(to: .process(100)) == [SIGTERM])
        processes.exit(100)
        signal(s, SIGCHLD)
        #expect(processes.signals(to: .process(150)) == [SIGTERM])
        passDeadline(s)
        #expect(processes.signals(to: .process(150)) == [SIGTERM, SIGKILL])
        #expect(processes.signals(to: .process(200)).isEmpty)
    }

    @Test func aFailedRestartEndsWithTheSpawnStatus() throws {
        let s = try supervisor()
        s.restart(environment: ["GEN=2"])
        processes.failSpawn = SpawnError(command: "cmd", errno: .noEntry)
        processes.exit(100)
        signal(s, SIGCHLD)
        #expect(s.finish() == .exited(127))
    }
}
