#if canImport(Glibc)
import Glibc
#endif

/// Something the event loop serves: the child supervisor, the rotator, the credential endpoint.
public protocol LoopParticipant: AnyObject {
    /// Descriptors to poll now.
    func descriptors() -> [pollfd]
    /// The next moment (monotonic ms) it must run even without I/O.
    func nextDeadline() -> Int64?
    /// Handles its polled descriptors (results of this round) and any timer that is due.
    func handle(_ fds: [pollfd])
}

/// The launcher's one thread (spec §4): one `poll` over the signalfd and every participant's
/// descriptors, the nearest participant deadline as the time-out, so an idle launcher sleeps in
/// the kernel. Signals go to `onSignal`; everything else to the participant that asked for it.
public final class EventLoop {
    let signals: SignalFD?
    let clock: any Clock
    let log: Log
    /// Served in this order each round.
    public var participants: [LoopParticipant] = []
    /// Receives every signal read from the signalfd.
    public var onSignal: (ReceivedSignal) -> Void = { _ in }

    public init(signals: SignalFD?, clock: any Clock = SystemClock(), log: Log = Log()) {
        self.signals = signals; self.clock = clock; self.log = log
    }

    /// Runs rounds until `result` returns a value, and returns it.
    public func run<T>(until result: () -> T?) -> T {
        while true {
            if let value = result() { return value }
            runOnce()
        }
    }

    /// One round: wait for the next event or deadline and dispatch it.
    public func runOnce() {
        var fds: [pollfd] = []
        if let signals { fds.append(pollfd(fd: signals.fd, events: Int16(POLLIN), revents: 0)) }
        let own = fds.count
        // Where each participant's descriptors end in `fds` ([Int], not [Range<Int>]: an array of ranges
        // costs a first-use runtime metadata lookup on every start).
        var ends: [Int] = []
        var deadline: Int64?
        for p in participants {
            fds += p.descriptors()
            ends.append(fds.count)
            if let d = p.nextDeadline() { deadline = min(deadline ?? d, d) }
        }
        let timeout = deadline.map { Int32(clamping: max(0, $0 - clock.monotonicMillis())) } ?? -1
        do {
            try retryingInterrupts { poll(&fds, nfds_t(fds.count), timeout) }
        } catch {
            // ENOMEM or EINVAL: nothing to wait on, so do not spin on the error.
            log.error("poll failed: \(error)")
            sleepMillis(10)
            return
        }
        if let signals, own > 0, fds[0].revents != 0 {
            for received in signals.readAll() { onSignal(received) }
        }
        var start = own
        for (p, end) in zip(participants, ends) {
            p.handle(Array(fds[start..<end]))
            start = end
        }
    }
}
