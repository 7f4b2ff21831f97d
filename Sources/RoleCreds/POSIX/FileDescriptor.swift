#if canImport(Glibc)
import Glibc
#endif

/// A descriptor with one owner that closes it exactly once: on `close()` or when the owner lets go.
/// `close` is never retried when a signal interrupts it (close(2): the descriptor is gone either way).
public final class FileDescriptor {
    /// The descriptor number; -1 once closed.
    public private(set) var rawValue: Int32

    /// Takes ownership of `rawValue` (which must be open, or -1 for none).
    public init(_ rawValue: Int32) { self.rawValue = rawValue }
    deinit { close() }


    /// Closes the descriptor; later calls do nothing.
    public func close() {
        if rawValue >= 0 { _ = Glibc.close(rawValue); rawValue = -1 }
    }
}
