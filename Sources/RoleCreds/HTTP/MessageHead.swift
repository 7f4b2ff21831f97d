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
