/// An HTTP/1.1 client for one endpoint: one keep-alive connection, reused while the server allows it.
/// No proxies, no redirects, no TLS.
public final class HTTPClient {
    public let host: String
    public let port: UInt16
    private var socket: Socket?
    /// TCP connections opened so far (for tests and benchmarks).
    public private(set) var connectionsOpened = 0
    /// When set, every address the host resolves to must pass it (see `Socket.connect`).
    public var allowAddress: ((IPAddress) -> Bool)?

    public init(host: String, port: UInt16) {
        self.host = host; self.port = port
    }

    /// `host[:port]` for the `Host` header.
    public var authority: String { HTTPURL(host: host, port: port).authority }

    /// Sends `request` and reads the whole response within `wait`, covering connect, send and receive.
    /// A kept-alive connection that the server closed in the meantime is replaced once, transparently.
    public func send(_ request: HTTPRequest, wait: Wait) throws(HTTPError) -> HTTPResponse {
        let bytes = request.serialized(authority: authority)
        if let existing = socket, existing.isStale() { close() }
        if socket != nil {
            do {
                return try exchange(bytes, isHead: request.method == "HEAD", wait: wait)
            } catch .closed {
                // The server dropped the idle connection between our requests: try once on a new one.
            } catch {
                throw error
            }
        }
        return try exchange(bytes, isHead: request.method == "HEAD", wait: wait)
    }

    /// Closes the kept-alive connection, if any.
    public func close() {
        socket?.close()
        socket = nil
    }

    private func exchange(_ bytes: [UInt8], isHead: Bool, wait: Wait) throws(HTTPError) -> HTTPResponse {
        let reused = socket != nil
        let connection: Socket
        if let socket {
            connection = socket
        } else {
            do {
                connection = try Socket.connect(host: host, port: port, wait: wait, allow: allowAddress)
            } catch .timedOut {
                throw .timedOut(connected: false)
            } catch .notAllowed(let host, let address) {
                throw .notAllowed(SocketError.notAllowed(host: host, address: address).description)
            } catch {
                throw .connect(error.description)
            }
            connectionsOpened += 1
            socket = connection
        }
        do {
            let response = try roundTrip(connection, bytes, isHead: isHead, wait: wait, reused: reused)
            return response
        } catch {
            close()
            throw error
        }
    }

    private func roundTrip(_ connection: Socket, _ bytes: [UInt8], isHead: Bool, wait: Wait, reused: Bool) throws(HTTPError) -> HTTPResponse {
        do {
            try connection.sendAll(bytes, wait: wait)
        } catch .timedOut {
            throw .timedOut(connected: true)
        } catch {
            // A reset on a reused connection means the server closed it: let the caller retry.
            throw reused ? .closed : .io("send failed: \(error)")
        }
        var parser = ResponseParser(isHead: isHead)
        while true {
            let chunk: [UInt8]
            do {
                chunk = try connection.receive(max: 16 * 1024, wait: wait)
            } catch .timedOut {
                throw .timedOut(connected: true)
            } catch {
                if reused && parser.isEmpty { throw .closed }
                throw .io("receive failed: \(error)")
            }
            if chunk.isEmpty {
                let response = try parser.finish()
                close()
                return response
            }
            if let response = try parser.feed(chunk) {
                if response.closesConnection || parser.hasTrailingBytes { close() }
                return response
            }
        }
    }
}
