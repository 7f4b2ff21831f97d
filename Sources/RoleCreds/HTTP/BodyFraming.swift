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
