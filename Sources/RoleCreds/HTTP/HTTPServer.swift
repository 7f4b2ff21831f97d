#if canImport(Glibc)
import Glibc
#endif

/// What the server does with a request.
public enum ServerAction {
    /// Answer it (in one write when the socket allows).
    case respond(HTTPResponse)
    /// Never answer; keep the connection open until the client gives up (a fault for tests).
    case stall
    /// Close the connection without answering.
    case drop
    /// Answer one byte a second (a slow-loris fault for tests).
    case trickle(HTTPResponse)
}

/// A small non-blocking HTTP/1.1 server: it never blocks on a client, so one slow or half-open client
/// stalls nobody. The owner polls `descriptors()` in its own loop and calls `handle` with the results.
public final class HTTPServer {
    final class Connection {
        let socket: Socket
        var parser = RequestParser()
        var output: [UInt8] = []
        var closeAfterWrite = false
        var stalled = false
        var trickleAt: Int64?
        var lastActive: Int64
        let id: Int
        init(socket: Socket, now: Int64, id: Int) { self.socket = socket; self.lastActive = now; self.id = id }
    }

    public let listener: Socket
    let clock: any Clock
    let handler: (ServerRequest) -> ServerAction
    private var connections: [Int32: Connection] = [:]
    /// Connections accepted so far.
    public private(set) var acceptedCount = 0
    /// Connections idle this long are closed, so half-open clients cannot pile up.
    public var idleTimeoutMillis: Int64 = 30_000
    /// At most this many connections; the longest idle one makes room for a new one.
    public var maxConnections = 256

    public init(listener: Socket, clock: any Clock = SystemClock(), handler: @escaping (ServerRequest) -> ServerAction) {
        self.listener = listener; self.clock = clock; self.handler = handler
    }

    /// The port the listener is bound to.
    public var port: UInt16 { listener.localPort() }

    /// The descriptors to poll and the events each waits for.
    public func descriptors() -> [pollfd] {
        var fds = [pollfd(fd: listener.fd, events: Int16(POLLIN), revents: 0)]
        for (fd, c) in connections {
            var events = Int16(POLLIN)
            if !c.output.isEmpty && c.trickleAt == nil { events |= Int16(POLLOUT) }
            fds.append(pollfd(fd: fd, events: events, revents: 0))
        }
        return fds
    }

    /// The next moment (monotonic ms) the server needs to run even without I/O.
    public func nextDeadline() -> Int64? {
        var next: Int64?
        for c in connections.values {
            let idle = c.lastActive + idleTimeoutMillis
            let due = c.trickleAt.map { min($0, idle) } ?? idle
            next = next.map { min($0, due) } ?? due
        }
        return next
    }

    /// Handles the polled descriptors that belong to this server and any timers that are due.
    public func handle(_ fds: [pollfd]) {
        let now = clock.monotonicMillis()
        for pfd in fds where pfd.revents != 0 {
            if pfd.fd == listener.fd {
                acceptAll(now: now)
            } else if let c = connections[pfd.fd] {
                service(c, revents: pfd.revents, now: now)
            }
        }
        for (fd, c) in connections {
            if let at = c.trickleAt, at <= now { trickle(c, now: now) }
            if c.lastActive + idleTimeoutMillis <= now { drop(fd) }
        }
    }

    /// Serves until `stop()` returns true (for a server with a loop of its own, like the mock).
    public func run(until stop: () -> Bool = { false }) {
        while !stop() {
            var fds = descriptors()
            let timeout = nextDeadline().map { Int32(clamping: max(0, $0 - clock.monotonicMillis())) } ?? -1
            let n = poll(&fds, nfds_t(fds.count), timeout)
            if n < 0 && errno != EINTR { return }
            handle(fds)
        }
    }

    private func acceptAll(now: Int64) {
        while let socket = listener.accept() {
            if connections.count >= maxConnections,
               let oldest = connections.min(by: { $0.value.lastActive < $1.value.lastActive })?.key {
                drop(oldest)
            }
            acceptedCount += 1
            connections[socket.fd] = Connection(socket: socket, now: now, id: acceptedCount)
        }
    }

    private func drop(_ fd: Int32) {
        connections.removeValue(forKey: fd)?.socket.close()
    }

    private func service(_ c: Connection, revents: Int16, now: Int64) {
        let fd = c.socket.fd
        if revents & Int16(POLLOUT) != 0 && !c.output.isEmpty {
            flush(c)
            if c.output.isEmpty && c.closeAfterWrite { drop(fd); return }
        }
        guard revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
        if n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) { drop(fd); return }
        if n < 0 { return }
        c.lastActive = now
        if c.stalled { return }
        do {
            var request = try c.parser.feed(Array(buffer[0..<n]))
            while let r = request, !c.stalled, !c.closeAfterWrite {
                dispatch(r, on: c)
                if connections[fd] == nil { return }
                request = try c.parser.next()
            }
        } catch {
            let status = { if case .tooLarge = error { return 431 } else { return 400 } }()
            enqueue(HTTPResponse(status: status, headers: HTTPHeaders([("Content-Type", "text/plain")]), body: Array("bad request\n".utf8)), on: c, close: true)
        }
        if c.output.isEmpty && c.closeAfterWrite { drop(fd) }
    }

    private func dispatch(_ incoming: ServerRequest, on c: Connection) {
        var request = incoming
        request.connectionId = c.id
        let wantsClose = request.headers["Connection"]?.lowercased() == "close"
        switch handler(request) {
        case .respond(let response):
            enqueue(response, on: c, close: wantsClose || response.closesConnection)
        case .stall:
            c.stalled = true
        case .drop:
            drop(c.socket.fd)
        case .trickle(let response):
            c.output = Self.serialize(response, close: true)
            c.closeAfterWrite = true
            c.trickleAt = clock.monotonicMillis()
        }
    }

    private func enqueue(_ response: HTTPResponse, on c: Connection, close: Bool) {
        c.output += Self.serialize(response, close: close)
        c.closeAfterWrite = c.closeAfterWrite || close
        flush(c)
    }

    private func flush(_ c: Connection) {
        while !c.output.isEmpty {
            let n = c.output.withUnsafeBytes { send(c.socket.fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
            if n > 0 { c.output.removeFirst(n); continue }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && errno != EAGAIN { c.output.removeAll(); c.closeAfterWrite = true }
            return
        }
    }

    private func trickle(_ c: Connection, now: Int64) {
        guard !c.output.isEmpty else { drop(c.socket.fd); return }
        let n = c.output.withUnsafeBytes { send(c.socket.fd, $0.baseAddress!, 1, Int32(MSG_NOSIGNAL)) }
        if n == 1 { c.output.removeFirst(1); c.lastActive = now }
        if c.output.isEmpty || (n < 0 && errno != EAGAIN) { drop(c.socket.fd); return }
        c.trickleAt = now + 1000
    }

    /// The bytes of a response with `Content-Length` and, when closing, `Connection: close`.
    public static func serialize(_ response: HTTPResponse, close: Bool) -> [UInt8] {
        var text = "HTTP/1.1 \(response.status) \(reason(response.status))\r\n"
        for field in response.headers.fields where field.name.lowercased() != "content-length" {
            text += "\(field.name): \(field.value)\r\n"
        }
        text += "Content-Length: \(response.body.count)\r\n"
        if close && response.headers["Connection"] == nil { text += "Connection: close\r\n" }
        text += "\r\n"
        return Array(text.utf8) + response.body
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 503: return "Service Unavailable"
        default: return "Status"
        }
    }
}
