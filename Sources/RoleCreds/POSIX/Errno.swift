#if canImport(Glibc)
import Glibc
#endif

/// A failed system call's `errno`, thrown as an error; `description` is `strerror`.
public struct Errno: RawRepresentable, Error, Equatable, CustomStringConvertible, Sendable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// The calling thread's current `errno`; read it right after the failing call.
    public static var current: Errno { Errno(rawValue: errno) }

    public var description: String { String(cString: strerror(rawValue)) }

    public static let interrupted = Errno(rawValue: EINTR)
    public static let wouldBlock = Errno(rawValue: EAGAIN)
    public static let inProgress = Errno(rawValue: EINPROGRESS)
    public static let noEntry = Errno(rawValue: ENOENT)
    public static let connectionRefused = Errno(rawValue: ECONNREFUSED)
}

/// Calls `body` until it does not fail with `EINTR`; a `-1` return becomes a thrown `Errno`.
/// Never use it for `close`, which must not be retried (close(2)).
@discardableResult
public func retryingInterrupts<T: FixedWidthInteger>(_ body: () -> T) throws(Errno) -> T {
    while true {
        let result = body()
        if result != -1 { return result }
        let error = Errno.current
        if error != .interrupted { throw error }
    }
}
