#if canImport(Glibc)
import Glibc
#endif

/// Why a small file could not be read whole.
public enum FileReadError: Error, Equatable, Sendable, CustomStringConvertible {
    /// open/fstat/read failed (permission denied, I/O error, …).
    case system(Errno)
    /// A FIFO, socket, device or directory: reading it could block or never end.
    case notRegularFile
    /// Larger than the caller's limit, in bytes.
    case tooLarge(limit: Int)
    /// Group or others may access it (a private key; ssh refuses such keys too). `mode` is the permission bits.
    case tooOpen(mode: UInt32)

    public var description: String {
        switch self {
        case .system(let errno): return errno.description
        case .notRegularFile: return "not a regular file"
        case .tooLarge(let limit): return "larger than \(limit / 1024) KiB"
        case .tooOpen(let mode):
            let octal = String(mode & 0o777, radix: 8)
            return "accessible by group or others (mode \(String(repeating: "0", count: 4 - octal.count) + octal)); chmod 600 it"
        }
    }
}

/// Reads a whole regular file of at most `limit` bytes. Returns nil when the file does not exist
/// (`ENOENT`, or `ENOTDIR` for a path through a non-directory): an absent file is not an error.
///
/// Opened `O_NONBLOCK` so a FIFO without a writer cannot hang `open` (fifo(7)); then `fstat` refuses
/// anything but a regular file before any `read`. The size is checked both from `fstat` and while
/// reading, since a file can grow between the two.
/// `refusing` names permission bits that must all be clear (checked on the opened file, not the path).
public func readSmallFile(_ path: String, limit: Int = 16 * 1024, refusing: mode_t = 0) throws(FileReadError) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
    if fd < 0 {
        let error = Errno.current
        if error == .noEntry || error.rawValue == ENOTDIR { return nil }
        throw .system(error)
    }
    // close(2): never retried after an interrupting signal.
    defer { _ = close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw .system(Errno.current) }
    guard info.st_mode & S_IFMT == S_IFREG else { throw .notRegularFile }
    guard info.st_mode & refusing == 0 else { throw .tooOpen(mode: UInt32(info.st_mode)) }
    guard info.st_size <= limit else { throw .tooLarge(limit: limit) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 16 * 1024)
    while true {
        let count: Int
        do {
            count = try retryingInterrupts { chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) } }
        } catch {
            throw .system(error)
        }
        if count == 0 { return bytes }
        guard bytes.count + count <= limit else { throw .tooLarge(limit: limit) }
        bytes.append(contentsOf: chunk[0..<count])
    }
}

/// Like `readSmallFile`, for a file that must exist: an absent one is `ENOENT`.
public func readRequiredFile(_ path: String, limit: Int = 16 * 1024, refusing: mode_t = 0) throws(FileReadError) -> [UInt8] {
    guard let bytes = try readSmallFile(path, limit: limit, refusing: refusing) else { throw .system(.noEntry) }
    return bytes
}

/// What is at `path` when it is not a regular file, in words for a message ("a FIFO, not a regular
/// file", "no such file"); nil for a regular file (symbolic links followed, nothing opened).
public func notRegularFileReason(_ path: String) -> String? {
    var info = stat()
    guard stat(path, &info) == 0 else {
        let error = Errno.current
        return error == .noEntry || error.rawValue == ENOTDIR ? "no such file" : error.description
    }
    switch info.st_mode & S_IFMT {
    case S_IFREG: return nil
    case S_IFDIR: return "a directory, not a file"
    case S_IFIFO: return "a FIFO, not a regular file"
    case S_IFCHR: return "a character device, not a regular file"
    case S_IFBLK: return "a block device, not a regular file"
    case S_IFSOCK: return "a socket, not a regular file"
    default: return "not a regular file"
    }
}
