#if canImport(Glibc)
import Glibc
#endif

/// Reading a small file that someone else controls (a token file): never blocks on a FIFO or a
/// device, refuses anything but a regular file (or a symlink to one), and is bounded in size.
public enum SmallFile {
    /// Why a file could not be read, in words (no content).
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case system(Errno)
        case notRegular
        case tooLarge(Int)
        public var description: String {
            switch self {
            case .system(let e): return "\(e)"
            case .notRegular: return "not a regular file"
            case .tooLarge(let limit): return "larger than \(limit / 1024) KiB"
            }
        }
    }

    /// The bytes of the regular file at `path`, at most `limit` of them.
    public static func read(_ path: String, limit: Int = 16 * 1024) throws(Failure) -> [UInt8] {
        // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, outside every deadline.
        let fd: Int32
        do { fd = try retryingInterrupts { open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY) } } catch { throw .system(error) }
        defer { _ = close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .system(Errno.current) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .notRegular }
        guard info.st_size <= limit else { throw .tooLarge(limit) }
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n: Int
            do { n = try retryingInterrupts { buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) } } } catch { throw .system(error) }
            if n == 0 { return result }
            result += buffer[0..<n]
            if result.count > limit { throw .tooLarge(limit) }
        }
    }
}
