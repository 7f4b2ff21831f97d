#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import RoleCreds

/// Properties of `SignalPolicy`'s table across every signal, sender, terminal mode and phase (spec §4,
/// §5), and the copy of the table in docs/supervision-and-rotation.md.
@Suite("SignalPolicy table")
struct SignalTableTests {
    static let all = Array(Int32(1)...64)
    static let contexts: [(terminal: Bool, fromOther: Bool)] = [(false, false), (false, true), (true, false), (true, true)]

    func decide(_ signal: Int32, _ phase: SignalPolicy.Phase, _ c: (terminal: Bool, fromOther: Bool)) -> SignalPolicy.Decision {
        SignalPolicy.decide(signal: signal, fromOtherProcess: c.fromOther, terminalMode: c.terminal, phase: phase)
    }

    /// Before the child exists the launcher ends, stops or carries on as its default disposition would
    /// (signal(7): Term and Core end it, Stop stops it, Ign and Cont do nothing), whoever sent it.
    @Test(arguments: all)
    func startingIsTheDefaultDisposition(_ signal: Int32) {
        let expected: SignalPolicy.Decision
        switch signal {
        case SIGCHLD, SIGURG, SIGWINCH, SIGCONT: expected = .ignore
        case SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU: expected = .suspend(forwardFirst: false)
        default: expected = .exit
        }
        for c in Self.contexts { #expect(decide(signal, .starting, c) == expected, "\(SignalName.name(signal))") }
    }

    /// `.exit` belongs to start-up, `.kill` to a SIGTERM stop: neither appears in another phase.
    @Test func exitOnlyBeforeTheChildAndKillOnlyWhileStopping() {
        for signal in Self.all {
            for c in Self.contexts {
                for phase in [SignalPolicy.Phase.running, .restarting, .stopping] {
                    #expect(decide(signal, phase, c) != .exit, "\(SignalName.name(signal)) \(phase)")
                }
                #expect(decide(signal, .running, c) != .kill)
                #expect(decide(signal, .starting, c) != .kill)
            }
        }
    }

    /// A restart changes no decision; only SIGTERM, SIGINT, SIGHUP and SIGQUIT cancel it.
    @Test func aRestartDecidesAsRunningAndOnlyTerminatingSignalsCancelIt() {
        for signal in Self.all {
            for c in Self.contexts { #expect(decide(signal, .restarting, c) == decide(signal, .running, c)) }
        }
        #expect(Self.all.filter { SignalPolicy.rule($0).cancelsRestart } == [SIGHUP, SIGINT, SIGQUIT, SIGTERM].sorted())
    }

    /// While a SIGTERM stop runs, only a SIGTERM that would stop escalates to SIGKILL.
    @Test func whileStoppingOnlyASecondSIGTERMChangesItsDecision() {
        for signal in Self.all {
            for c in Self.contexts {
                let running = decide(signal, .running, c)
                #expect(decide(signal, .stopping, c) == (running == .stop ? .kill : running), "\(SignalName.name(signal))")
            }
        }
    }

    /// With a terminal, the terminal's own signals already reached the child: never forwarded, never a stop.
    @Test func theTerminalsOwnSignalsAreNeverPassedOn() {
        for signal in Self.all {
            for phase in [SignalPolicy.Phase.running, .restarting, .stopping] {
                let d = decide(signal, phase, (terminal: true, fromOther: false))
                #expect(d != .forward && d != .stop && d != .kill && d != .suspend(forwardFirst: true), "\(SignalName.name(signal))")
            }
        }
    }

    /// A signal the launcher does not read is never acted on once the child exists.
    @Test func unreadSignalsAreLeftAlone() {
        for signal in Self.all where !SignalPolicy.isHandled(signal) {
            for c in Self.contexts { #expect(decide(signal, .running, c) == .ignore, "\(SignalName.name(signal))") }
        }
    }

    // MARK: the documentation's copy

    static let rows: [(String, [Int32])] = [
        ("SIGTERM", [SIGTERM]), ("SIGHUP, SIGINT, SIGQUIT", [SIGHUP, SIGINT, SIGQUIT]), ("SIGTSTP (Ctrl-Z)", [SIGTSTP]),
        ("SIGCHLD", [SIGCHLD]), ("SIGCONT, SIGWINCH", [SIGCONT, SIGWINCH]),
    ]

    static func cell(_ d: SignalPolicy.Decision) -> String {
        switch d {
        case .ignore: return "ignore"
        case .reap: return "reap"
        case .forward: return "forward"
        case .stop: return "stop"
        case .kill: return "SIGKILL"
        case .suspend(let forwardFirst): return forwardFirst ? "forward, suspend" : "suspend"
        case .exit: return "exit"
        }
    }

    static func line(_ label: String, _ rule: SignalPolicy.Rule) -> String {
        let r = rule.running, s = rule.stopping
        let stopping = s == r ? "as running" : [s.alone, s.fromOther, s.fromTerminal].map(cell).joined(separator: " / ")
        return "| " + [label, cell(rule.starting), cell(r.alone), cell(r.fromOther), cell(r.fromTerminal),
                       rule.cancelsRestart ? "cancels" : "keeps", stopping].joined(separator: " | ") + " |"
    }

    /// docs/supervision-and-rotation.md holds the table as the code has it, row for row.
    @Test func theDocumentationShowsThisTable() throws {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        let path = parts.joined(separator: "/") + "/docs/supervision-and-rotation.md"
        guard let bytes = try readSmallFile(path, limit: 1 << 20) else { Issue.record("\(path) is missing"); return }
        let doc = String(decoding: bytes, as: UTF8.self)
        var named: [Int32] = []
        for (label, signals) in Self.rows {
            for signal in signals { #expect(SignalPolicy.rule(signal) == SignalPolicy.rule(signals[0]), "\(label)") }
            named += signals
            let row = Self.line(label, SignalPolicy.rule(signals[0]))
            let shown = doc.contains(row)
            #expect(shown, "the docs lack the row \(row)")
        }
        let others = SignalPolicy.handled.filter { !named.contains($0) }
        for signal in others { #expect(SignalPolicy.rule(signal) == SignalPolicy.rule(SIGUSR1), "\(SignalName.name(signal))") }
        let other = Self.line("any other it reads", SignalPolicy.rule(SIGUSR1))
        let shown = doc.contains(other)
        #expect(shown, "the docs lack the row \(other)")
    }
}
