#if canImport(Glibc)
import Glibc
#endif

/// A detached POSIX thread for one piece of work (a refresh, an agent's fetch, a name lookup): nothing
/// joins it, so an abandoned one never holds up the process's exit.
public enum DetachedThread {
    /// The closure, kept alive until the thread has run it.
    private final class Work: @unchecked Sendable {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    /// Runs `body` on a new detached thread with `stackSize` bytes of stack. Throws what pthread_create(3)
    /// returned when no thread could start (then `body` never runs).
    public static func start(stackSize: Int, _ body: @escaping () -> Void) throws(Errno) {
        let context = Unmanaged.passRetained(Work(body)).toOpaque()
        var thread = pthread_t()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        pthread_attr_setstacksize(&attributes, stackSize)
        let rc = pthread_create(&thread, &attributes, { raw in
            Unmanaged<Work>.fromOpaque(raw!).takeRetainedValue().body()
            return nil
        }, context)
        if rc != 0 {
            Unmanaged<Work>.fromOpaque(context).release()
            throw Errno(rawValue: rc)
        }
    }
}
