#if canImport(Glibc)
import Glibc
#endif

/// A descriptor that blocking waits also watch (the signalfd during start-up), so a Ctrl-C or a
/// SIGTERM is acted on at once instead of after the metadata service's deadline.
public final class Interrupt {
    public let fd: Int32
    let handler: () -> Void
    /// `handler` runs when `fd` is readable; it reads the descriptor (and may exit the process).
    public init(fd: Int32, handler: @escaping () -> Void) { self.fd = fd; self.handler = handler }
}

/// How long a blocking call may wait, and what else it watches meanwhile: passed down every call
/// (provider → retry → HTTP client → socket) instead of stored on the objects.
public struct Wait {
    /// Monotonic ms after which the call gives up.
    public let deadline: Int64
    public let clock: any Clock
    /// Watched while waiting; nil on the refresh thread, where signals belong to the event loop.
    public let interrupt: Interrupt?

    public init(deadline: Int64, clock: any Clock, interrupt: Interrupt? = nil) {
        self.deadline = deadline; self.clock = clock; self.interrupt = interrupt
    }

    /// A wait of `millis` from now.
    public init(millis: Int64, clock: any Clock, interrupt: Interrupt? = nil) {
        self.init(deadline: clock.monotonicMillis() + millis, clock: clock, interrupt: interrupt)
    }

    /// The same wait, ending no later than `deadline`.
    public func narrowed(to deadline: Int64) -> Wait {
        Wait(deadline: min(deadline, self.deadline), clock: clock, interrupt: interrupt)
    }

    /// Milliseconds left, never negative.
    public var remainingMillis: Int64 { max(0, deadline - clock.monotonicMillis()) }

    /// Polls `fd` for `events` (and the interrupt) until the deadline: true when `fd` is ready.
    /// `fd` < 0 only sleeps.
    public func ready(fd: Int32, events: Int16) throws(Errno) -> Bool {
        while true {
            var fds = [pollfd(fd: fd, events: events, revents: 0)]
            if let interrupt { fds.append(pollfd(fd: interrupt.fd, events: Int16(POLLIN), revents: 0)) }
            // Each try waits only what is left of the deadline.
            let n = try retryingInterrupts { () -> Int32 in
                let remaining = deadline - clock.monotonicMillis()
                return remaining <= 0 ? 0 : poll(&fds, nfds_t(fds.count), Int32(clamping: remaining))
            }
            if n == 0 {
                if clock.monotonicMillis() >= deadline { return false }
                continue
            }
            if fds.count > 1 && fds[1].revents != 0 { interrupt?.handler() }
            if fd >= 0 && fds[0].revents != 0 { return true }
        }
    }

    /// Sleeps `millis` (within the deadline), still acting on the interrupt.
    public func sleep(_ millis: Int64) {
        guard millis > 0 else { return }
        let short = narrowed(to: clock.monotonicMillis() + millis)
        if interrupt == nil { sleepMillis(short.remainingMillis); return }
        _ = try? short.ready(fd: -1, events: 0)
    }
}
