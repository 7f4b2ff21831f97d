/// Turns the bytes of one HTTP/1.1 response into an `HTTPResponse`, however they are split.
public struct ResponseParser {
    private var buffer: [UInt8] = []
    private var head: (status: Int, headers: HTTPHeaders, bodyStart: Int)?
    private var framing = BodyFraming.none
    private var chunked = ChunkedDecoder()
    private var chunkOffset = 0
    /// Bytes received after the end of the response: the connection must not be reused.
    public private(set) var hasTrailingBytes = false
    /// True when the request was HEAD (no body whatever the headers say).
    let isHead: Bool

    public init(isHead: Bool = false) { self.isHead = isHead }

    /// Adds received bytes; returns the response once it is complete.
    public mutating func feed(_ bytes: [UInt8]) throws(HTTPError) -> HTTPResponse? {
        let previous = buffer.count
        buffer.append(contentsOf: bytes)
        if head == nil {
            // Whatever does not start like a status line is not HTTP (an SSH banner, say): fail now
            // rather than wait for a header section that never comes.
            let prefix = Array("HTTP/".utf8)
            guard buffer.first == 0x0D || buffer.first == 0x0A
                    || buffer.prefix(prefix.count).elementsEqual(prefix.prefix(min(prefix.count, buffer.count))) else {
                throw .malformed("bad status line")
            }
            guard let end = findHeadEnd(buffer, from: previous) else {
                // Up to 3 bytes of an unfinished CRLFCRLF may still complete a head of exactly the limit.
                if buffer.count > HTTPLimits.maxHeaderBytes + 3 { throw .tooLarge("response headers") }
                return nil
            }
            guard end <= HTTPLimits.maxHeaderBytes + 4 else { throw .tooLarge("response headers") }
            let parsed = try parseHead(buffer[0..<(end - 4)])
            let status = try Self.status(parsed.startLine)
            head = (status, parsed.headers, end)
            if isHead || status == 204 || status == 304 {
                framing = .none
            } else {
                framing = try bodyFraming(parsed.headers, allowUntilClose: true)
            }
            chunkOffset = end
        }
        return try completed()
    }

    /// Called when the peer closed: completes a read-until-close body, or fails.
    public mutating func finish() throws(HTTPError) -> HTTPResponse {
        guard let head, case .untilClose = framing else { throw .closed }
        let body = Array(buffer[head.bodyStart...])
        return HTTPResponse(status: head.status, headers: head.headers, body: body)
    }

    /// Whether nothing at all has been received yet (a stale keep-alive connection closes this way).
    public var isEmpty: Bool { buffer.isEmpty }

    private mutating func completed() throws(HTTPError) -> HTTPResponse? {
        guard let head else { return nil }
        switch framing {
        case .none:
            hasTrailingBytes = buffer.count > head.bodyStart
            return HTTPResponse(status: head.status, headers: head.headers)
        case .length(let n):
            guard buffer.count - head.bodyStart >= n else { return nil }
            hasTrailingBytes = buffer.count - head.bodyStart > n
            return HTTPResponse(status: head.status, headers: head.headers, body: Array(buffer[head.bodyStart..<(head.bodyStart + n)]))
        case .untilClose:
            if buffer.count - head.bodyStart > HTTPLimits.maxBodyBytes { throw .tooLarge("body") }
            return nil
        case .chunked:
            // Bound the bytes on the wire too, not only the decoded body: tiny chunks with long
            // extensions would otherwise let a server send far more than the body limit.
            if buffer.count - head.bodyStart > 2 * HTTPLimits.maxBodyBytes + HTTPLimits.maxHeaderBytes { throw .tooLarge("body") }
            chunkOffset = try chunked.consume(buffer, from: chunkOffset)
            guard chunked.isDone else { return nil }
            hasTrailingBytes = buffer.count > chunkOffset
            return HTTPResponse(status: head.status, headers: head.headers, body: chunked.body)
        }
    }

    static func status(_ line: String) throws(HTTPError) -> Int {
        // "HTTP/1.x NNN" then a space or the end: bytes, as in parseHead.
        let b = Array(line.utf8)
        let version = b.prefix(9)
        guard b.count >= 9, version.elementsEqual("HTTP/1.1 ".utf8) || version.elementsEqual("HTTP/1.0 ".utf8) else {
            throw .malformed("bad status line")
        }
        guard b.count == 12 || (b.count > 12 && b[12] == 32) else { throw .malformed("bad status code") }
        var code = 0
        for d in b[9..<12] {
            guard d >= 48 && d <= 57 else { throw .malformed("bad status code") }
            code = code * 10 + Int(d - 48)
        }
        guard (200...599).contains(code) else { throw .malformed("bad status code") }
        return code
    }
}
