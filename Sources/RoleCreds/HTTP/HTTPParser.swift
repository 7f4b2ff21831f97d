/// Size limits that protect the launcher from hostile or broken servers and clients.
public enum HTTPLimits {
    public static let maxHeaderBytes = 16 * 1024
    public static let maxBodyBytes = 64 * 1024
    static let maxChunkLine = 1024
}

/// A parsed start line and header section.
struct MessageHead {
    var startLine: String
    var headers: HTTPHeaders
}


/// Finds the end of the header section in `buffer`; returns the index just past CRLFCRLF.
func findHeadEnd(_ buffer: [UInt8], from start: Int = 0) -> Int? {
    guard buffer.count >= 4 else { return nil }
    var i = max(0, start - 3)
    while i + 4 <= buffer.count {
        if buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 { return i + 4 }
        i += 1
    }
    return nil
}

/// Parses the head bytes (without the final CRLFCRLF) into a start line and header fields.
/// Works on bytes: splitting text as `Character`s (grapheme breaking) would cost far more than the
/// request it parses, and every byte that matters to the framing is ASCII.
func parseHead(_ bytes: ArraySlice<UInt8>) throws(HTTPError) -> MessageHead {
    for b in bytes where (b < 0x20 && b != 13 && b != 10 && b != 9) || b == 0x7F {
        throw .malformed("control character in header section")
    }
    guard String(validating: bytes, as: UTF8.self) != nil else { throw .malformed("header section is not UTF-8") }
    var headers = HTTPHeaders()
    var startLine = ""
    var lineStart = bytes.startIndex
    var first = true
    while lineStart <= bytes.endIndex {
        // The line runs to the next CRLF; a CR or LF alone inside it is refused.
        var i = lineStart
        var lineEnd = bytes.endIndex
        var bare = false
        while i < bytes.endIndex {
            let b = bytes[i]
            if b == 13, i + 1 < bytes.endIndex, bytes[i + 1] == 10 { lineEnd = i; break }
            if b == 13 || b == 10 { bare = true }
            i += 1
        }
        let line = bytes[lineStart..<lineEnd]
        lineStart = lineEnd + 2
        if first {
            first = false
            guard !line.isEmpty else { throw .malformed("empty start line") }
            if bare { throw .malformed("bare CR or LF in a header") }
            startLine = String(decoding: line, as: UTF8.self)
            continue
        }
        if line.isEmpty { continue }
        if bare { throw .malformed("bare CR or LF in a header") }
        if line.first == 32 || line.first == 9 { throw .malformed("folded header line") }
        guard let colon = line.firstIndex(of: 58) else { throw .malformed("header line without a colon") }
        let name = line[..<colon]
        guard !name.isEmpty, name.allSatisfy(isTokenByte) else { throw .malformed("bad header name") }
        var value = line[(colon + 1)...]
        while let f = value.first, f == 32 || f == 9 { value.removeFirst() }
        while let l = value.last, l == 32 || l == 9 { value.removeLast() }
        headers.add(String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }
    return MessageHead(startLine: startLine, headers: headers)
}

/// RFC 9110 `tchar`: the bytes a header name may hold.
func isTokenByte(_ b: UInt8) -> Bool {
    switch b {
    case 48...57, 65...90, 97...122: return true
    case 33, 35, 36, 37, 38, 39, 42, 43, 45, 46, 94, 95, 96, 124, 126: return true  // !#$%&'*+-.^_`|~
    default: return false
    }
}

/// How a message body is delimited.
enum BodyFraming: Equatable {
    case none
    case length(Int)
    case chunked
    case untilClose
}

/// Reads the framing headers, refusing the ambiguous and the oversized.
func bodyFraming(_ headers: HTTPHeaders, allowUntilClose: Bool) throws(HTTPError) -> BodyFraming {
    let lengths = headers.values("Content-Length")
    let encodings = headers.values("Transfer-Encoding")
    if !encodings.isEmpty {
        guard lengths.isEmpty else { throw .malformed("both Content-Length and Transfer-Encoding") }
        let codings = encodings.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters().lowercased() } }
        guard codings == ["chunked"] else { throw .malformed("unsupported Transfer-Encoding") }
        return .chunked
    }
    if lengths.count > 1 { throw .malformed("more than one Content-Length") }
    if let text = lengths.first {
        guard !text.isEmpty, text.count <= 18, text.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(text) else {
            throw .malformed("bad Content-Length")
        }
        guard n <= HTTPLimits.maxBodyBytes else { throw .tooLarge("body") }
        return n == 0 ? .none : .length(n)
    }
    return allowUntilClose ? .untilClose : .none
}

/// Incremental decoder of a chunked body.
struct ChunkedDecoder {
    enum Phase { case size, data(Int), dataEnd, trailers, done }
    var phase = Phase.size
    var body: [UInt8] = []
    /// Bytes of trailer section seen so far: bounded like a header section.
    var trailerBytes = 0

    /// Consumes what it can from `buffer` starting at `offset`; returns the new offset.
    mutating func consume(_ buffer: [UInt8], from offset: Int) throws(HTTPError) -> Int {
        var i = offset
        while true {
            switch phase {
            case .done:
                return i
            case .size:
                guard let lineEnd = try lineEnd(buffer, from: i) else {
                    if buffer.count - i > HTTPLimits.maxChunkLine { throw .malformed("chunk size line too long") }
                    return i
                }
                // The same limit as for a line still arriving (which may end in its CR), so a response is
                // refused or not whatever way it was cut into reads.
                guard lineEnd - i < HTTPLimits.maxChunkLine else { throw .malformed("chunk size line too long") }
                var line = buffer[i..<lineEnd]
                if let semi = line.firstIndex(of: UInt8(ascii: ";")) { line = line[..<semi] }
                while let l = line.last, l == 32 || l == 9 { line = line.dropLast() }
                guard !line.isEmpty, line.count <= 8 else { throw .malformed("bad chunk size") }
                var size = 0
                for b in line {
                    guard let d = Hex.value(b) else { throw .malformed("bad chunk size") }
                    size = size * 16 + Int(d)
                }
                i = lineEnd + 2
                if size == 0 { phase = .trailers; continue }
                guard body.count + size <= HTTPLimits.maxBodyBytes else { throw .tooLarge("body") }
                phase = .data(size)
            case .data(let remaining):
                let available = min(remaining, buffer.count - i)
                if available == 0 { return i }
                body.append(contentsOf: buffer[i..<(i + available)])
                i += available
                phase = remaining == available ? .dataEnd : .data(remaining - available)
            case .dataEnd:
                guard buffer.count - i >= 2 else { return i }
                guard buffer[i] == 13 && buffer[i + 1] == 10 else { throw .malformed("chunk not followed by CRLF") }
                i += 2
                phase = .size
            case .trailers:
                guard let lineEnd = try lineEnd(buffer, from: i) else {
                    if trailerBytes + buffer.count - i > HTTPLimits.maxHeaderBytes { throw .tooLarge("trailers") }
                    return i
                }
                trailerBytes += lineEnd + 2 - i
                if trailerBytes > HTTPLimits.maxHeaderBytes { throw .tooLarge("trailers") }
                let empty = lineEnd == i
                i = lineEnd + 2
                if empty { phase = .done }
            }
        }
    }

    var isDone: Bool { if case .done = phase { return true } else { return false } }

    private func lineEnd(_ buffer: [UInt8], from start: Int) throws(HTTPError) -> Int? {
        var j = start
        while j < buffer.count {
            if buffer[j] == 10 { throw .malformed("bare LF in chunked framing") }
            if buffer[j] == 13 {
                guard j + 1 < buffer.count else { return nil }
                guard buffer[j + 1] == 10 else { throw .malformed("bare CR in chunked framing") }
                return j
            }
            j += 1
        }
        return nil
    }
}

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
