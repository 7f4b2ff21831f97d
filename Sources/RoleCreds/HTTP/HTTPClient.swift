/// An HTTP/1.1 client for one endpoint: one keep-alive connection, reused while the server allows it.
/// Plain or over verified TLS (`TLSStream`), directly or through a `CONNECT` proxy tunnel; the same
/// parser and limits either way. No redirects.
public final class HTTPClient {
    public let host: String
    public let port: UInt16
    /// `http` or `https`.
    public let scheme: HTTPURL.Scheme
    /// Verifies the server of an https endpoint.
    let tls: TLSContext?
    /// The tunnel every connection goes through, if any (the caller decides: see `ProxySettings`).
    public let proxy: HTTPProxy?
    private var socket: (any ByteStream)?
    /// When set, every address the host resolves to must pass it (see `Socket.connect`).
    public var allowAddress: ((IPAddress) -> Bool)?

    /// A client for `url`'s endpoint; an https `url` needs `tls`, and `proxy` (if any) tunnels every
    /// connection. Plain http is not refused here: see `requireTLSOrLoopback`.
    public init(url: HTTPURL, tls: TLSContext?, proxy: HTTPProxy? = nil) {
        self.host = url.host; self.port = url.port; self.scheme = url.scheme; self.tls = tls; self.proxy = proxy
    }

    /// `host[:port]` for the `Host` header.
    public var authority: String { HTTPURL(host: host, port: port, scheme: scheme).authority }

    /// Sends `request` and reads the whole response within `wait`, covering
    /// connect, send and receive. A kept-alive connection that the server closed in the meantime is
    /// replaced once, transparently.
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
        let connection: any ByteStream
        if let socket {
            connection = socket
        } else {
            connection = try open(wait)
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

    /// Connects (through the proxy's tunnel, if any) and, for https, completes the verified handshake:
    /// nothing of the request is written before that.
    private func open(_ wait: Wait) throws(HTTPError) -> any ByteStream {
        if scheme == .https && tls == nil {
            throw .transport(TransportError(.configuration, "https://\(authority) needs a TLS context"))
        }
        let tcp: Socket
        do {
            tcp = try Socket.connect(host: proxy?.host ?? host, port: proxy?.port ?? port, wait: wait,
                                     allow: proxy == nil ? allowAddress : nil)
        } catch .timedOut {
            throw .timedOut(connected: false)
        } catch {
            throw .transport(TransportError(connecting: error, prefix: proxy.map { "proxy \($0.authority): " } ?? ""))
        }
        do {
            try proxy?.openTunnel(over: tcp, to: host, port: port, wait: wait)
            guard scheme == .https, let tls else { return tcp }
            return try TLSStream.handshake(over: tcp, context: tls, host: host, port: port, wait: wait)
        } catch {
            tcp.close()
            throw .transport(error)
        }
    }

    private func roundTrip(_ connection: any ByteStream, _ bytes: [UInt8], isHead: Bool, wait: Wait, reused: Bool) throws(HTTPError) -> HTTPResponse {
        do {
            try connection.write(bytes, wait: wait)
        } catch .timedOut {
            throw .timedOut(connected: true)
        } catch {
            // A reset on a reused connection means the server closed it: let the caller retry.
            throw reused ? .closed : .transport(TransportError(.io, "send failed: \(error)", underlying: error))
        }
        var parser = ResponseParser(isHead: isHead)
        while true {
            let chunk: [UInt8]
            do {
                chunk = try connection.read(max: 16 * 1024, wait: wait)
            } catch .timedOut {
                throw .timedOut(connected: true)
            } catch {
                if reused && parser.isEmpty { throw .closed }
                throw .transport(TransportError(.io, "receive failed: \(error)", underlying: error))
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
