/// Why reading or writing a connected stream failed.
public enum StreamError: Error, Equatable, CustomStringConvertible {
    /// The deadline passed first.
    case timedOut
    /// The socket under the stream failed.
    case socket(SocketError)
    /// The stream broke above the socket (TLS); the sentence names the reason, never the bytes, and
    /// `underlying` the socket's error when that was the cause.
    case failed(String, underlying: SocketError? = nil)

    public var description: String {
        switch self {
        case .timedOut: return "timed out"
        case .socket(let error): return error.description
        case .failed(let why, _): return why
        }
    }
}

/// A connected byte stream that HTTP runs over: a plain TCP socket or a TLS session on one.
/// The HTTP layer above speaks the same HTTP, with the same parser and limits, over either.
public protocol ByteStream: AnyObject {
    /// Writes every byte within `wait`.
    func write(_ bytes: [UInt8], wait: Wait) throws(StreamError)
    /// Reads up to `max` bytes, within `wait`; an empty result means the peer closed.
    func read(max: Int, wait: Wait) throws(StreamError) -> [UInt8]
    /// True when the peer has closed or sent unexpected bytes: a kept-alive stream not worth reusing.
    func isStale() -> Bool
    /// Closes the stream; later calls do nothing.
    func close()
}

extension Socket: ByteStream {
    public func write(_ bytes: [UInt8], wait: Wait) throws(StreamError) {
        do { try sendAll(bytes, wait: wait) } catch .timedOut { throw .timedOut } catch { throw .socket(error) }
    }

    public func read(max: Int, wait: Wait) throws(StreamError) -> [UInt8] {
        do { return try receive(max: max, wait: wait) } catch .timedOut { throw .timedOut } catch { throw .socket(error) }
    }
}
