#if canImport(Glibc)
import Glibc
#endif
// SOCK_STREAM and SOCK_CLOEXEC come through CSystem's <sys/socket.h>, as in Socket+Linux.swift; without it
// the release build found them only when a file importing CSystem shared this file's compile batch.
import CSystem
import Synchronization

/// One `getaddrinfo` run on a detached thread, so that the caller's `Wait` (deadline and interrupt)
/// governs a name lookup as it governs every other wait (curl's threaded resolver does the same).
///
/// getaddrinfo(3) cannot be cancelled and follows only resolv.conf's own timeouts (a name server
/// that never answers held a start-up for 150 s, and a SIGTERM with it). The caller waits on a
/// socket that the thread writes one byte to when done; on its deadline or interrupt it walks away.
/// The abandoned thread owns only its end of that socket pair and this object, so nothing that exit
/// waits for: it finishes (or dies with the process) on its own, and its late byte goes to a closed
/// peer (`MSG_NOSIGNAL`: no SIGPIPE).
final class HostLookup: @unchecked Sendable {
    private let host: String
    private let port: UInt16
    // Touched by the lookup thread only; it closes it once the result is stored.
    private let doneEnd: FileDescriptor
    private let slot = Mutex<Result<[Socket.Address], SocketError>?>(nil)

    private init(host: String, port: UInt16, doneEnd: FileDescriptor) {
        self.host = host; self.port = port; self.doneEnd = doneEnd
    }

    /// The addresses of `host` (a name; literals never come here) within `wait`: `.timedOut` at its
    /// deadline; the interrupt's handler runs meanwhile (and may end the process).
    static func resolve(host: String, port: UInt16, wait: Wait) throws(SocketError) -> [Socket.Address] {
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
            throw .io(Errno.current)
        }
        let waitEnd = FileDescriptor(fds[0])
        let lookup = HostLookup(host: host, port: port, doneEnd: FileDescriptor(fds[1]))
        guard lookup.startThread() else {
            // No thread to be had: look up here, bounded only by resolv.conf, rather than not at all.
            lookup.run()
            return try lookup.take()
        }
        let ready: Bool
        do { ready = try wait.ready(fd: waitEnd.rawValue, events: Int16(POLLIN)) } catch { throw .io(error) }
        guard ready else { throw .timedOut }
        return try lookup.take()
    }

    private func take() throws(SocketError) -> [Socket.Address] {
        guard let result = slot.withLock({ $0 }) else { throw .resolve(host: host, reason: "the lookup ended without an answer") }
        return try result.get()
    }

    /// Starts `run` on a detached thread that holds a reference to `self`; false when none could start.
    private func startThread() -> Bool {
        // getaddrinfo with the dns service needs more than a small stack (res_nquery's 64 KiB buffers).
        do { try DetachedThread.start(stackSize: 512 * 1024) { self.run() } } catch { return false }
        return true
    }

    private func run() {
        let result: Result<[Socket.Address], SocketError>
        do { result = .success(try Socket.lookUp(host: host, port: port)) } catch { result = .failure(error) }
        slot.withLock { $0 = result }
        var byte: UInt8 = 1
        _ = try? retryingInterrupts { send(doneEnd.rawValue, &byte, 1, Int32(MSG_NOSIGNAL)) }
        doneEnd.close()
    }
}
