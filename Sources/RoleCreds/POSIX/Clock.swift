#if canImport(Glibc)
import Glibc
#endif

/// Monotonic and wall-clock time in milliseconds; tests pass a fake.
public protocol Clock: Sendable {
    /// Milliseconds on a clock that never jumps (CLOCK_MONOTONIC).
    func monotonicMillis() -> Int64
    /// Seconds since the Unix epoch (CLOCK_REALTIME).
    func wallSeconds() -> Int64
    /// Milliseconds since the Unix epoch (CLOCK_REALTIME).
    func wallMillis() -> Int64
}

extension Clock {
    public func wallMillis() -> Int64 { wallSeconds() * 1000 }
}

/// The kernel's clocks.
public struct SystemClock: Clock {
    public init() {}
    public func monotonicMillis() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
    public func wallSeconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec)
    }
    public func wallMillis() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}

/// Sleeps for `millis` milliseconds, resuming after signals until the time is up.
public func sleepMillis(_ millis: Int64) {
    guard millis > 0 else { return }
    var request = timespec(tv_sec: Int(millis / 1000), tv_nsec: Int((millis % 1000) * 1_000_000))
    var remaining = timespec()
    // After a signal, sleep on for what nanosleep(2) says was left.
    _ = try? retryingInterrupts { () -> Int32 in
        let rc = nanosleep(&request, &remaining)
        if rc == -1 { request = remaining }
        return rc
    }
}
