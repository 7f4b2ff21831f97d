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

/// Polls `fd` for `events` and the interrupt descriptor until `deadline` (monotonic ms).
/// Returns true when `fd` is ready, false when the deadline passed.
func waitReady(fd: Int32, events: Int16, deadline: Int64?, clock: any Clock, interrupt: Interrupt?) throws(Errno) -> Bool {
    while true {
        var timeout: Int32 = -1
        if let deadline {
            let remaining = deadline - clock.monotonicMillis()
            if remaining <= 0 { return false }
            timeout = Int32(clamping: remaining)
        }
        var fds = [pollfd(fd: fd, events: events, revents: 0)]
        if let interrupt { fds.append(pollfd(fd: interrupt.fd, events: Int16(POLLIN), revents: 0)) }
        let n = poll(&fds, nfds_t(fds.count), timeout)
        if n < 0 {
            if errno == EINTR { continue }
            throw Errno.current
        }
        if fds.count > 1 && fds[1].revents != 0 { interrupt?.handler() }
        if fd >= 0 && fds[0].revents != 0 { return true }
    }
}

/// Sleeps `millis`, still acting on the interrupt descriptor.
public func interruptibleSleep(_ millis: Int64, clock: any Clock, interrupt: Interrupt?) {
    guard millis > 0 else { return }
    guard interrupt != nil else { sleepMillis(millis); return }
    _ = try? waitReady(fd: -1, events: 0, deadline: clock.monotonicMillis() + millis, clock: clock, interrupt: interrupt)
}
