#if canImport(Glibc)
import Glibc
#endif
import CSystem

/// Unix stream sockets (unix(7)): the agent's socket and its clients.
extension Socket {
    /// The longest path a `sockaddr_un` holds, without its terminating NUL.
    public static let maxUnixPath = 107

    static func unixAddress(_ path: String) throws(SocketError) -> (sockaddr_un, socklen_t) {
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty, bytes.count <= maxUnixPath, !bytes.contains(0) else {
            throw .io(Errno(rawValue: ENAMETOOLONG))
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        return (address, socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + 1))
    }

    static func unixStream() throws(SocketError) -> Socket {
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw .io(Errno.current) }
        return Socket(fd: fd)
    }

    /// Connects to the Unix socket at `path`. A local connect completes at once or fails: EAGAIN means
    /// the listener's queue is full, which the caller treats like a listener that does not answer.
    public static func connect(unixPath path: String) throws(SocketError) -> Socket {
        var (address, length) = try unixAddress(path)
        let socket = try unixStream()
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket.fd, $0, length) }
        }
        if rc != 0 { throw .refused(Errno.current) }
        return socket
    }

    /// Listens on a new Unix socket at `path`, mode 0600 from the start (umask 0177 while binding).
    public static func listen(unixPath path: String, backlog: Int32) throws(SocketError) -> Socket {
        var (address, length) = try unixAddress(path)
        let socket = try unixStream()
        let old = umask(0o177)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(socket.fd, $0, length) }
        }
        let bindError = Errno.current
        umask(old)
        guard rc == 0 else { throw .io(bindError) }
        guard Glibc.listen(socket.fd, backlog) == 0 else { throw .io(Errno.current) }
        return socket
    }

    /// The peer's process and user, as the kernel recorded them at connect (SO_PEERCRED).
    public func peer() throws(Errno) -> (pid: pid_t, uid: uid_t) {
        var pid: pid_t = 0
        var uid: uid_t = 0
        guard csys_peer_credentials(fd, &pid, &uid) == 0 else { throw Errno.current }
        return (pid, uid)
    }
}
