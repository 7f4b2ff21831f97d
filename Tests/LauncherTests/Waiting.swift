import Foundation
import Glibc
@testable import RoleCreds

// Swift Testing runs tests on a cooperative pool with as many threads as cores (two here): a test that
// blocks its thread (usleep, a blocking waitpid or poll) stops every other test from running. Every wait
// in the tests is therefore an `await`: `Task.sleep` between polls, or a continuation resumed from a thread
// of its own.

/// Polls `condition` until it holds or `timeout` seconds pass, sleeping between polls with `Task.sleep`
/// so the test runner's threads serve other tests meanwhile. The bound is a deadline against hangs,
/// never a measurement.
func eventually(timeout: Double = 10, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + .milliseconds(Int(timeout * 1000))
    var pause = Duration.milliseconds(1)
    while clock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: pause)
        // Short pauses first (most waits end within milliseconds), then a gentle poll.
        pause = min(pause * 2, .milliseconds(20))
    }
    return try await condition()
}

/// Returns once the child `pid` has ended, without reaping it (waitid(2) with WNOWAIT, so the owner's
/// `waitpid` still collects the status), or at once when `pid` is no child of ours (anymore). The
/// blocking call runs on a thread of its own; the awaiting task holds no thread meanwhile.
func childEnded(_ pid: pid_t) async {
    await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
        let thread = Thread {
            var info = siginfo_t()
            _ = try? retryingInterrupts { waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) }
            done.resume()
        }
        thread.stackSize = 256 << 10
        thread.start()
    }
}

/// Whether the child `pid` ended within `timeout` seconds; when it did not, it is killed (SIGKILL) and
/// false returned, so no wait outlives its bound.
func childEnded(_ pid: pid_t, timeout: Double) async -> Bool {
    await withTaskGroup(of: Bool.self) { group in
        group.addTask { await childEnded(pid); return true }
        group.addTask { try? await Task.sleep(for: .milliseconds(Int(timeout * 1000))); return false }
        let ended = await group.next() ?? false
        group.cancelAll()
        // The group waits for both: a child past its deadline is killed, which ends the first task.
        if !ended { kill(pid, SIGKILL) }
        return ended
    }
}
