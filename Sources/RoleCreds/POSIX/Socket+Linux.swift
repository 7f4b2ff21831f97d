#if canImport(Glibc)
import Glibc
#endif
import CSystem

/// A TCP socket (non-blocking, close-on-exec) over a descriptor it owns: the `FileDescriptor` closes it once.
public final class Socket {
    private let descriptor: FileDescriptor
    /// The descriptor; valid until `close()` or deinit.
    public var fd: Int32 { descriptor.rawValue }

    init(fd: Int32) { descriptor = FileDescriptor(fd) }

    /// Closes the descriptor; later calls do nothing.
    public func close() { descriptor.close() }

    /// Sets an integer socket option; a failure is an error, not something to carry on without.
    func setOption(_ level: Int32, _ name: Int32, _ value: Int32) throws(SocketError) {
        var value = value
        guard setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) == 0 else { throw .io(Errno.current) }
    }

    /// Resolves `host` (an IPv4/IPv6 literal or a name) and connects to the first address that answers
    /// within `wait`. Literals (`inet_pton`) never touch the resolver; a name is looked up on a helper
    /// thread (`HostLookup`), so `wait` bounds the lookup too. With `allow`, every address the name resolves
    /// to must pass it, or nothing is connected (a host name must not lead anywhere else).
    public static func connect(host: String, port: UInt16, wait: Wait, allow: ((IPAddress) -> Bool)? = nil) throws(SocketError) -> Socket {
        let addresses: [Address]
        if let address = literal(host: host, port: port) { addresses = [address] } else {
            addresses = try HostLookup.resolve(host: host, port: port, wait: wait)
        }
        if let allow, let refused = addresses.first(where: { $0.ip.map { !allow($0) } ?? true }) {
            throw .notAllowed(host: host, address: refused.ip?.description ?? "an address of another family")
        }
        var lastError = SocketError.refused(Errno.connectionRefused)
        for address in addresses {
            do {
                return try connect(address: address, wait: wait)
            } catch {
                lastError = error
                if case .timedOut = error { throw error }
            }
        }
        throw lastError
    }

    /// A resolved socket address.
    public struct Address: @unchecked Sendable {
        var storage: sockaddr_storage
        var length: socklen_t
        var family: Int32 { Int32(storage.ss_family) }
    }

    /// Confines host-name lookups to glibc's built-in `files` and `dns` services, whatever
    /// `/etc/nsswitch.conf` names: the static release binary must never load an NSS module from the
    /// host (libnss_*.so would pull in the host's own libc.so). Done once, before the first
    /// `getaddrinfo`, so IP literals (the usual endpoints) never pay for reading nsswitch.conf.
    static let builtInResolverOnly: Void = {
        _ = csys_nss_configure_lookup("hosts", "files dns")
    }()

    /// The address of an IPv4 or IPv6 literal (`IPAddress`, as `inet_pton` reads it), without the
    /// resolver; nil for anything else.
    static func literal(host: String, port: UInt16) -> Address? {
        IPAddress(host).map { Address(ip: $0, port: port) }
    }

    /// The addresses of a literal, or of a name looked up on this thread (only where the host is ours:
    /// a listening address).
    static func resolve(host: String, port: UInt16) throws(SocketError) -> [Address] {
        if let address = literal(host: host, port: port) { return [address] }
        return try lookUp(host: host, port: port)
    }

    /// `getaddrinfo` for a TCP `host:port`, confined to the built-in `files` and `dns` services.
    static func lookUp(host: String, port: UInt16) throws(SocketError) -> [Address] {
        _ = builtInResolverOnly
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            throw .resolve(host: host, reason: String(cString: gai_strerror(rc)))
        }
        defer { freeaddrinfo(first) }
        var result: [Address] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            var storage = sockaddr_storage()
            withUnsafeMutableBytes(of: &storage) { dst in
                dst.copyMemory(from: UnsafeRawBufferPointer(start: info.pointee.ai_addr, count: Int(info.pointee.ai_addrlen)))
            }
            result.append(Address(storage: storage, length: info.pointee.ai_addrlen))
            cursor = info.pointee.ai_next
        }
        return result
    }

    static func connect(address: Address, wait: Wait) throws(SocketError) -> Socket {
        let fd = Glibc.socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw .io(Errno.current) }
        let socket = Socket(fd: fd)
        var storage = address.storage
        let rc = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, address.length) }
        }
        if rc != 0 {
            let error = Errno.current
            guard error == .inProgress || error == .interrupted else { throw .refused(error) }
            try socket.waitUntilReady(Int16(POLLOUT), wait)
            var soError: Int32 = 0
            var len = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &len) == 0 else { throw .io(Errno.current) }
            if soError != 0 { throw .refused(Errno(rawValue: soError)) }
        }
        try socket.setOption(Int32(IPPROTO_TCP), TCP_NODELAY, 1)
        return socket
    }

    /// Waits until the socket is ready for `events` or the wait's deadline passes.
    func waitUntilReady(_ events: Int16, _ wait: Wait) throws(SocketError) {
        let ready: Bool
        do { ready = try wait.ready(fd: fd, events: events) } catch { throw .io(error) }
        if !ready { throw .timedOut }
    }

    /// Sends every byte within `wait`; one `send` call in the usual case.
    public func sendAll(_ bytes: [UInt8], wait: Wait) throws(SocketError) {
        var offset = 0
        while offset < bytes.count {
            do {
                offset += try retryingInterrupts {
                    bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
                }
            } catch where error == .wouldBlock {
                try waitUntilReady(Int16(POLLOUT), wait)
            } catch {
                throw .io(error)
            }
        }
    }

    /// Receives up to `max` bytes within `wait`; an empty result means the peer closed.
    public func receive(max: Int, wait: Wait) throws(SocketError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: max)
        while true {
            do {
                let n = try retryingInterrupts { buffer.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress!, max, 0) } }
                buffer.removeSubrange(n...)
                return buffer
            } catch where error == .wouldBlock {
                try waitUntilReady(Int16(POLLIN), wait)
            } catch {
                throw .io(error)
            }
        }
    }

    /// True when the peer has closed or sent unexpected bytes: a kept-alive connection not worth reusing.
    public func isStale() -> Bool {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&pfd, 1, 0) != 0
    }

    /// Listens on `host:port` (port 0: an ephemeral one).
    public static func listen(host: String, port: UInt16, backlog: Int32 = 128) throws(SocketError) -> Socket {
        guard let address = try resolve(host: host, port: port).first else { throw .resolve(host: host, reason: "no address") }
        let fd = Glibc.socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw .io(Errno.current) }
        let socket = Socket(fd: fd)
        try socket.setOption(SOL_SOCKET, SO_REUSEADDR, 1)
        var storage = address.storage
        let rc = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, address.length) }
        }
        guard rc == 0 else { throw .bind(host: host, port: port, error: Errno.current) }
        guard Glibc.listen(fd, backlog) == 0 else { throw .io(Errno.current) }
        return socket
    }

    /// The local port this socket is bound to.
    public func localPort() -> UInt16 {
        var storage = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        // sin_port and sin6_port both sit at offset 2.
        return withUnsafeBytes(of: &storage) { UInt16(bigEndian: $0.load(fromByteOffset: 2, as: UInt16.self)) }
    }

    /// Accepts one pending connection (non-blocking, close-on-exec, TCP_NODELAY); nil when none waits.
    /// Throws what else `accept4` reports (EMFILE and ENFILE when descriptors run out).
    public func accept() throws(Errno) -> Socket? {
        while true {
            let client = csys_accept4(fd, Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue))
            if client >= 0 {
                let socket = Socket(fd: client)
                // Without TCP_NODELAY an answer only waits longer: not a reason to refuse the connection.
                try? socket.setOption(Int32(IPPROTO_TCP), TCP_NODELAY, 1)
                return socket
            }
            let error = Errno.current
            if error == .interrupted || error.rawValue == ECONNABORTED { continue }
            if error == .wouldBlock { return nil }
            throw error
        }
    }
}

/// Why a socket operation failed.
public enum SocketError: Error, Equatable, CustomStringConvertible {
    case resolve(host: String, reason: String)
    case refused(Errno)
    case timedOut
    case bind(host: String, port: UInt16, error: Errno)
    case io(Errno)
    /// The host resolved to an address the caller does not allow.
    case notAllowed(host: String, address: String)

    public var description: String {
        switch self {
        case .resolve(let host, let reason): return "cannot resolve \(host): \(reason)"
        case .refused(let e): return "cannot connect: \(e)"
        case .timedOut: return "timed out"
        case .bind(let host, let port, let e): return "cannot listen on \(host):\(port): \(e)"
        case .io(let e): return "\(e)"
        case .notAllowed(let host, let address): return "\(host) resolves to \(address), which is not allowed"
        }
    }
}
