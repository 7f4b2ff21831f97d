/// Turns request bytes into `ServerRequest`s; keeps leftovers for pipelined requests.
public struct RequestParser {
    private var buffer: [UInt8] = []
    /// Where the search for the end of the head resumes, so a slow client costs linear time.
    private var scanFrom = 0
    /// The request whose body is still arriving, its head parsed once: re-parsing up to 16 KiB of
    /// header for every byte of a slowly sent body would cost quadratic time.
    private var pending: (request: ServerRequest, bodyStart: Int, length: Int)?
    public init() {}

    /// Adds bytes; returns a complete request when one is there.
    public mutating func feed(_ bytes: [UInt8]) throws(HTTPError) -> ServerRequest? {
        buffer.append(contentsOf: bytes)
        return try next()
    }

    /// The next complete request already buffered, if any.
    public mutating func next() throws(HTTPError) -> ServerRequest? {
        if pending == nil {
            guard let end = findHeadEnd(buffer, from: scanFrom) else {
                if buffer.count > HTTPLimits.maxHeaderBytes + 3 { throw .tooLarge("request headers") }
                scanFrom = buffer.count
                return nil
            }
            scanFrom = end - 3
            guard end <= HTTPLimits.maxHeaderBytes + 4 else { throw .tooLarge("request headers") }
            let head = try parseHead(buffer[0..<(end - 4)])
            let parts = head.startLine.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[2] == "HTTP/1.1" || parts[2] == "HTTP/1.0", !parts[0].isEmpty,
                  parts[1].hasPrefix("/") else { throw .malformed("bad request line") }
            // RFC 9112 §3.2: a request with more than one Host line is answered 400; which one a check
            // reads and which one a proxy in front routes by could differ.
            guard head.headers.values("Host").count <= 1 else { throw .malformed("more than one Host header") }
            let framing = try bodyFraming(head.headers, allowUntilClose: false)
            var length = 0
            switch framing {
            case .none, .untilClose: length = 0
            case .length(let n): length = n
            case .chunked: throw .malformed("chunked request bodies are not supported")
            }
            pending = (ServerRequest(method: String(parts[0]), target: String(parts[1]), headers: head.headers, body: []), end, length)
        }
        guard let (head, end, length) = pending, buffer.count - end >= length else { return nil }
        var request = head
        request.body = Array(buffer[end..<(end + length)])
        buffer.removeFirst(end + length)
        scanFrom = 0
        pending = nil
        return request
    }

    /// Whether a partial request is buffered.
    public var hasPartial: Bool { !buffer.isEmpty }
}

/// A parsed request, as the server sees it.
public struct ServerRequest: Sendable {
    public var method: String
    public var target: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Which accepted connection carried it (1, 2, …), so tests can count connections.
    public var connectionId = 0
    /// The path without the query string.
    public var path: String { target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? target }
    /// The query string after `?`, or "".
    public var query: String {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        return parts.count > 1 ? String(parts[1]) : ""
    }
}
