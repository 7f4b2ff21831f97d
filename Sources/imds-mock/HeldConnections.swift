#if canImport(Glibc)
import Glibc
#endif
import RoleCreds

extension HTTPServer: LoopParticipant {}

/// The mock's fault modes that outlive a request: connections taken over from the server that are
/// never answered (stall) or answered one byte a second (trickle). Test kit only: the product's
/// server has no such modes.
final class HeldConnections: LoopParticipant {
    final class Held {
        let socket: Socket
        var output: [UInt8]
        /// When the next byte goes out; nil for a stalled connection.
        var nextByteAt: Int64?
        let since: Int64
        init(socket: Socket, output: [UInt8], nextByteAt: Int64?, since: Int64) {
            self.socket = socket; self.output = output; self.nextByteAt = nextByteAt; self.since = since
        }
    }

    /// A stalled connection is closed after this long even if the client stays.
    static let stallLimitMillis: Int64 = 30_000
    private var held: [Int32: Held] = [:]

    func stall(_ socket: Socket, now: Int64) {
        held[socket.fd] = Held(socket: socket, output: [], nextByteAt: nil, since: now)
    }

    func trickle(_ socket: Socket, _ bytes: [UInt8], now: Int64) {
        held[socket.fd] = Held(socket: socket, output: bytes, nextByteAt: now, since: now)
    }

    func descriptors() -> [pollfd] {
        // Watched for the client going away; what it sends is read and ignored.
        held.keys.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
    }

    func nextDeadline() -> Int64? {
        held.values.map { $0.nextByteAt ?? ($0.since + Self.stallLimitMillis) }.min()
    }

    func handle(_ fds: [pollfd]) {
        let now = SystemClock().monotonicMillis()
        for pfd in fds where pfd.revents != 0 {
            var buffer = [UInt8](repeating: 0, count: 4096)
            do {
                if try retryingInterrupts({ recv(pfd.fd, &buffer, buffer.count, 0) }) == 0 { close(pfd.fd) }
            } catch {
                if error != .wouldBlock { close(pfd.fd) }
            }
        }
        for (fd, h) in held {
            if let at = h.nextByteAt {
                guard at <= now else { continue }
                let n = h.output.withUnsafeBytes { send(fd, $0.baseAddress!, 1, Int32(MSG_NOSIGNAL)) }
                if n == 1 { h.output.removeFirst() }
                if h.output.isEmpty || (n < 0 && errno != EAGAIN) { close(fd); continue }
                h.nextByteAt = now + 1000
            } else if h.since + Self.stallLimitMillis <= now {
                close(fd)
            }
        }
    }

    private func close(_ fd: Int32) {
        held.removeValue(forKey: fd)?.socket.close()
    }
}
