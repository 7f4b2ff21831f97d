#if canImport(Glibc)
import Glibc
#endif

/// What the server does with a request.
public enum ServerAction {
    /// Answer it (in one write when the socket allows).
    case respond(HTTPResponse)
    /// Close the connection without answering.
    case drop
    /// Hand the connection over to its new owner, which answers (or not) as it likes; the server
    /// forgets it.
    case detach((Socket) -> Void)
}

/// A small non-blocking HTTP/1.1 server: it never blocks on a client, so one slow or half-open client
/// stalls nobody. The owner polls `descriptors()` in its own loop and calls `handle` with the results.
///
/// What a local process can make it hold is bounded: at most `maxConnections` connections, closed
/// after `idleTimeoutMillis` without progress; a connection whose answers are not read stops being
/// read once `maxPendingOutput` bytes wait for it, and the one with most waiting output is closed when
/// all together exceed `maxTotalPendingOutput`. When descriptors run out (EMFILE) the least recently
/// active connection makes room, and with none to close the listener rests for a back-off instead
/// of being polled in a busy loop.
public final class HTTPServer {
    final class Connection {
        let socket: Socket
        var parser = RequestParser()
        var output: [UInt8] = []
        /// Where the unsent part of `output` starts (compacted when it is all sent).
        var sent = 0
        var closeAfterWrite = false
        var lastActive: Int64
        let id: Int
        init(socket: Socket, now: Int64, id: Int) { self.socket = socket; self.lastActive = now; self.id = id }
        var pending: Int { output.count - sent }
    }

    public let listener: Socket
    let clock: any Clock
    let handler: (ServerRequest) -> ServerAction
    private var connections: [Int32: Connection] = [:]
    /// Connections accepted so far.
    public private(set) var acceptedCount = 0
    /// Connections idle this long (no byte read or written) are closed, so half-open clients cannot pile up.
    public var idleTimeoutMillis: Int64 = 30_000
    /// At most this many connections; the least recently active one makes room for a new one.
    public var maxConnections = 64
    /// A connection with this much unsent output is not read until its client reads.
    public var maxPendingOutput = 64 * 1024
    /// Unsent output of all connections together; beyond it the most backed-up connection is closed.
    public var maxTotalPendingOutput = 512 * 1024
    /// How long the listener rests after `accept` ran out of descriptors with nothing to close.
    public var exhaustedBackoffMillis: Int64 = 500
    /// While set (monotonic ms), the listener is not polled: descriptors ran out.
    private var listenerRestsUntil: Int64?

    public init(listener: Socket, clock: any Clock = SystemClock(), handler: @escaping (ServerRequest) -> ServerAction) {
        self.listener = listener; self.clock = clock; self.handler = handler
    }

    /// The port the listener is bound to.
    public var port: UInt16 { listener.localPort() }


    /// The descriptors to poll and the events each waits for.
    public func descriptors() -> [pollfd] {
        var fds: [pollfd] = []
        if listenerRestsUntil == nil { fds.append(pollfd(fd: listener.fd, events: Int16(POLLIN), revents: 0)) }
        for (fd, c) in connections {
            // A client that does not read its answers is not read either: its requests wait in the
            // kernel's buffers, not in our memory.
            var events: Int16 = c.pending < maxPendingOutput ? Int16(POLLIN) : 0
            if c.pending > 0 { events |= Int16(POLLOUT) }
            fds.append(pollfd(fd: fd, events: events, revents: 0))
        }
        return fds
    }

    /// The next moment (monotonic ms) the server needs to run even without I/O.
    public func nextDeadline() -> Int64? {
        var next = listenerRestsUntil
        for c in connections.values {
            let idle = c.lastActive + idleTimeoutMillis
            next = min(next ?? idle, idle)
        }
        return next
    }

    /// Handles the polled descriptors that belong to this server and any timers that are due.
    public func handle(_ fds: [pollfd]) {
        let now = clock.monotonicMillis()
        if let until = listenerRestsUntil, until <= now { listenerRestsUntil = nil }
        for pfd in fds where pfd.revents != 0 {
            if pfd.fd == listener.fd {
                acceptAll(now: now)
            } else if let c = connections[pfd.fd] {
                service(c, revents: pfd.revents, now: now)
            }
        }
        for (fd, c) in connections where c.lastActive + idleTimeoutMillis <= now { drop(fd) }
        enforceTotalOutputCap()
    }

    private func acceptAll(now: Int64) {
        while true {
            let accepted: Socket?
            do {
                accepted = try listener.accept()
            } catch {
                let raw = error.rawValue
                guard raw == EMFILE || raw == ENFILE || raw == ENOBUFS || raw == ENOMEM else { return }
                // Out of descriptors: the pending connection keeps the listener readable, so polling
                // it again at once would spin. Make room, or rest until a connection closes.
                if let oldest = leastRecentlyActive() { drop(oldest); continue }
                listenerRestsUntil = now + exhaustedBackoffMillis
                return
            }
            guard let socket = accepted else { return }
            if connections.count >= maxConnections, let oldest = leastRecentlyActive() { drop(oldest) }
            acceptedCount += 1
            connections[socket.fd] = Connection(socket: socket, now: now, id: acceptedCount)
        }
    }

    /// The connection to close first: the least recently active, and of those (accepted in one
    /// round share a time) the first accepted, so a new connection is never closed before its request is read.
    private func leastRecentlyActive() -> Int32? {
        connections.min { ($0.value.lastActive, $0.value.id) < ($1.value.lastActive, $1.value.id) }?.key
    }

    private func drop(_ fd: Int32) {
        connections.removeValue(forKey: fd)?.socket.close()
        listenerRestsUntil = nil   // a descriptor is free again
    }

    private func enforceTotalOutputCap() {
        var total = connections.values.reduce(0) { $0 + $1.pending }
        while total > maxTotalPendingOutput, let (fd, c) = connections.max(by: { $0.value.pending < $1.value.pending }) {
            total -= c.pending
            drop(fd)
        }
    }

    private func service(_ c: Connection, revents: Int16, now: Int64) {
        let fd = c.socket.fd
        if revents & Int16(POLLOUT) != 0 && c.pending > 0 {
            flush(c, now: now)
            if c.pending == 0 && c.closeAfterWrite { drop(fd); return }
            // Room again: answer the requests that waited in the parser.
            dispatchBuffered(c, now: now)
            if connections[fd] == nil { return }
        }
        guard revents & Int16(POLLIN | POLLHUP | POLLERR) != 0, c.pending < maxPendingOutput else { return }
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        let received: Int
        do {
            received = try retryingInterrupts { buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) } }
        } catch {
            if error != .wouldBlock { drop(fd) }
            return
        }
        if received == 0 { drop(fd); return }
        c.lastActive = now
        feed(c, Array(buffer[0..<received]), now: now)
    }

    private func feed(_ c: Connection, _ bytes: [UInt8], now: Int64) {
        do {
            var request = try c.parser.feed(bytes)
            while let r = request {
                dispatch(r, on: c, now: now)
                if connections[c.socket.fd] == nil || c.closeAfterWrite || c.pending >= maxPendingOutput { break }
                request = try c.parser.next()
            }
        } catch {
            badRequest(error, on: c, now: now)
        }
        if c.pending == 0 && c.closeAfterWrite { drop(c.socket.fd) }
    }

    /// Answers complete requests already in the parser while there is room for their answers.
    private func dispatchBuffered(_ c: Connection, now: Int64) {
        do {
            while c.pending < maxPendingOutput, !c.closeAfterWrite, connections[c.socket.fd] != nil,
                  let r = try c.parser.next() {
                dispatch(r, on: c, now: now)
            }
        } catch {
            badRequest(error, on: c, now: now)
        }
        if connections[c.socket.fd] != nil && c.pending == 0 && c.closeAfterWrite { drop(c.socket.fd) }
    }

    private func badRequest(_ error: HTTPError, on c: Connection, now: Int64) {
        guard !c.closeAfterWrite else { return }
        let status = { if case .tooLarge = error { return 431 } else { return 400 } }()
        enqueue(HTTPResponse(status: status, headers: HTTPHeaders([("Content-Type", "text/plain")]), body: Array("bad request\n".utf8)),
                on: c, close: true, now: now)
    }

    private func dispatch(_ incoming: ServerRequest, on c: Connection, now: Int64) {
        var request = incoming
        request.connectionId = c.id
        let wantsClose = request.headers["Connection"]?.lowercased() == "close"
        switch handler(request) {
        case .respond(let response):
            enqueue(response, on: c, close: wantsClose || response.closesConnection, now: now)
        case .drop:
            drop(c.socket.fd)
        case .detach(let takeOver):
            connections.removeValue(forKey: c.socket.fd)
            takeOver(c.socket)
        }
    }

    private func enqueue(_ response: HTTPResponse, on c: Connection, close: Bool, now: Int64) {
        c.output += Self.serialize(response, close: close)
        c.closeAfterWrite = c.closeAfterWrite || close
        flush(c, now: now)
    }

    private func flush(_ c: Connection, now: Int64) {
        while c.pending > 0 {
            let n: Int
            do {
                n = try retryingInterrupts {
                    c.output.withUnsafeBytes { send(c.socket.fd, $0.baseAddress! + c.sent, $0.count - c.sent, Int32(MSG_NOSIGNAL)) }
                }
            } catch {
                // EAGAIN: the client reads later. Anything else: the connection is broken.
                if error != .wouldBlock { c.output.removeAll(); c.sent = 0; c.closeAfterWrite = true }
                return
            }
            c.sent += n
            c.lastActive = now
        }
        c.output.removeAll(keepingCapacity: c.output.count <= 4096)
        c.sent = 0
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
