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
