#if canImport(Glibc)
import Glibc
#endif
import CSystem
import Synchronization

/// Runs one credential fetch at a time on a helper thread, so a slow metadata service never delays
/// the supervisor's loop (signals, the credential endpoint). The loop polls `fd`, which becomes
/// readable when a result is waiting.
public final class RefreshWorker: @unchecked Sendable {
    // The provider is touched only by the worker thread while a fetch runs, and by nobody otherwise.
    private let provider: any CredentialProvider
    private let budgetMillis: Int64
    private let clock: any Clock
    private let readEnd: FileDescriptor
    private let writeEnd: FileDescriptor
    private let slot = Mutex<Result<Credentials, CredentialError>?>(nil)
    /// True from `start` until the result is taken.
    public private(set) var isRunning = false

    public init(provider: any CredentialProvider, budgetMillis: Int64, clock: any Clock) throws(Errno) {
        self.provider = provider
        self.budgetMillis = budgetMillis
        self.clock = clock
        var fds: [Int32] = [0, 0]
        guard csys_pipe2(&fds, O_CLOEXEC | O_NONBLOCK) == 0 else { throw Errno.current }
        readEnd = FileDescriptor(fds[0])
        writeEnd = FileDescriptor(fds[1])
    }

    /// Readable when a result is waiting.
    public var fd: Int32 { readEnd.rawValue }

    /// Starts a fetch on a new thread; does nothing when one is running.
    public func start() {
        guard !isRunning else { return }
        isRunning = true
        do {
            try DetachedThread.start(stackSize: 256 * 1024) { self.work() }
        } catch {
            // No thread: fetch here (the loop waits at most the budget) rather than never.
            work()
        }
    }

    private func work() {
        let result: Result<Credentials, CredentialError>
        do {
            result = .success(try provider.fetch(Wait(millis: budgetMillis, clock: clock)))
        } catch {
            result = .failure(error)
        }
        provider.close()
        slot.withLock { $0 = result }
        var byte: UInt8 = 1
        _ = try? retryingInterrupts { write(writeEnd.rawValue, &byte, 1) }
    }

    /// The finished fetch's result, or nil when none is waiting.
    public func take() -> Result<Credentials, CredentialError>? {
        var buffer = [UInt8](repeating: 0, count: 16)
        _ = try? retryingInterrupts { buffer.withUnsafeMutableBytes { read(readEnd.rawValue, $0.baseAddress!, $0.count) } }
        let result = slot.withLock { value -> Result<Credentials, CredentialError>? in
            defer { value = nil }
            return value
        }
        if result != nil { isRunning = false }
        return result
    }
}
