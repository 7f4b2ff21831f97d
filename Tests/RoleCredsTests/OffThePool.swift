@testable import RoleCreds

/// Runs a blocking `body` (a library call that waits on a child process or a pipe) on a thread of its own
/// and awaits its result: Swift Testing's cooperative pool has one thread per core (two here), and a test
/// that blocks one stops half of the other tests meanwhile.
func offThePool<T>(_ body: @escaping () -> T) async -> T {
    await withCheckedContinuation { (done: CheckedContinuation<T, Never>) in
        do {
            try DetachedThread.start(stackSize: 1 << 20) { done.resume(returning: body()) }
        } catch {
            // No thread to be had: block this one rather than never answer.
            done.resume(returning: body())
        }
    }
}
