#if canImport(Glibc)
import Glibc
#endif
import CSystem

/// One received signal, from a signalfd.
public struct ReceivedSignal: Sendable, Equatable {
    public let signal: Int32
    public let code: Int32
    public let senderPid: pid_t
    public init(signal: Int32, code: Int32, senderPid: pid_t) {
        self.signal = signal; self.code = code; self.senderPid = senderPid
    }
}

/// The launcher's signals: blocked first thing and read from a non-blocking signalfd.
public final class SignalFD {
    let descriptor: FileDescriptor
    /// The descriptor to poll.
    public var fd: Int32 { descriptor.rawValue }

    /// Blocks every handled signal (see `SignalPolicy.isHandled`) and opens the descriptor. Call it
    /// before anything else starts, so no signal is lost between spawn and the loop.
    public init() throws(Errno) {
        var set = sigset_t()
        sigemptyset(&set)
        for sig in Int32(1)...64 where SignalPolicy.isHandled(sig) { sigaddset(&set, sig) }
        guard sigprocmask(SIG_BLOCK, &set, nil) == 0 else { throw Errno.current }
        let fd = csys_signalfd(&set)
        guard fd >= 0 else { throw Errno.current }
        descriptor = FileDescriptor(fd)
    }

    /// Every signal pending now (empty when none), without the ones the launcher raised itself
    /// (see `SignalPolicy.isOwn`).
    public func readAll() -> [ReceivedSignal] {
        var result: [ReceivedSignal] = []
        var info = signalfd_siginfo()
        let size = MemoryLayout<signalfd_siginfo>.size
        let me = getpid()
        while true {
            let n: Int
            do {
                n = try retryingInterrupts { withUnsafeMutableBytes(of: &info) { Glibc.read(fd, $0.baseAddress!, size) } }
            } catch {
                return result   // EAGAIN: nothing more pending
            }
            guard n == size else { return result }
            let received = ReceivedSignal(signal: Int32(info.ssi_signo), code: info.ssi_code, senderPid: pid_t(info.ssi_pid))
            if !SignalPolicy.isOwn(received, launcher: me) { result.append(received) }
        }
    }
}
