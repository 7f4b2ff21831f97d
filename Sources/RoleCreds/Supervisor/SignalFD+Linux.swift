#if canImport(Glibc)
import Glibc
#endif
import CSystem

/// One received signal, from a signalfd.
public struct ReceivedSignal: Sendable {
    public let signal: Int32
    public let code: Int32
    public let senderPid: pid_t
}

/// The launcher's signals: blocked first thing and read from a non-blocking signalfd.
public final class SignalFD {
    public let fd: Int32

    /// Blocks every handled signal (see `SignalPolicy.isHandled`) and opens the descriptor. Call it
    /// before anything else starts, so no signal is lost between spawn and the loop.
    public init() throws(Errno) {
        var set = sigset_t()
        sigemptyset(&set)
        for sig in Int32(1)...64 where SignalPolicy.isHandled(sig) { sigaddset(&set, sig) }
        guard sigprocmask(SIG_BLOCK, &set, nil) == 0 else { throw Errno.current }
        let fd = csys_signalfd(&set)
        guard fd >= 0 else { throw Errno.current }
        self.fd = fd
    }

    deinit { _ = Glibc.close(fd) }

    /// Every signal pending now (empty when none).
    public func readAll() -> [ReceivedSignal] {
        var result: [ReceivedSignal] = []
        var info = signalfd_siginfo()
        let size = MemoryLayout<signalfd_siginfo>.size
        while true {
            let n = withUnsafeMutableBytes(of: &info) { Glibc.read(fd, $0.baseAddress!, size) }
            if n == size {
                result.append(ReceivedSignal(signal: Int32(info.ssi_signo), code: info.ssi_code, senderPid: pid_t(info.ssi_pid)))
                continue
            }
            if n < 0 && errno == EINTR { continue }
            return result
        }
    }
}
