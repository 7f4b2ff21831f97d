/// A place credentials come from: IMDS or a container endpoint.
public protocol CredentialSource: AnyObject {
    /// `imds` or `container`, for `--check` and messages.
    var name: String { get }
    /// The endpoint asked, for messages.
    var endpointDescription: String { get }
    /// The role name, when the source knows one.
    var roleName: String? { get }
    /// Fetches and validates the current credentials before `deadline` (monotonic ms).
    func fetch(deadline: Int64) throws(CredentialError) -> Credentials
    /// The region the source knows of (IMDS placement), or nil; a failure is a warning, not an error.
    func region(deadline: Int64) -> String?
    /// Closes kept-alive connections.
    func close()
    /// Stops watching the start-up interrupt: later fetches run on the refresh thread.
    func dropInterrupt()
}

/// Retries with capped, jittered exponential back-off, shared by the sources.
struct RetryPolicy {
    let attempts: Int
    let timeoutMillis: Int64
    let clock: any Clock
    var interrupt: Interrupt?

    /// Back-off before attempt `n` (n ≥ 1): 100 ms · 2ⁿ⁻¹ with full jitter, capped at 1 s.
    func backoffMillis(_ n: Int) -> Int64 {
        let base = min(Int64(1000), Int64(100) << Int64(min(n - 1, 10)))
        return base / 2 + jitter(base / 2 + 1)
    }

    /// The deadline of one attempt: the per-request timeout, within the overall deadline.
    func attemptDeadline(_ overall: Int64) -> Int64 { min(clock.monotonicMillis() + timeoutMillis, overall) }

    /// Sleeps the back-off for attempt `n`, unless it would pass the overall deadline; returns false then.
    func pause(before n: Int, overall: Int64) -> Bool {
        let wait = backoffMillis(n)
        if clock.monotonicMillis() + wait >= overall { return false }
        interruptibleSleep(wait, clock: clock, interrupt: interrupt)
        return true
    }
}

/// Whether an HTTP status is worth retrying (throttling and server errors).
func isRetryableStatus(_ status: Int) -> Bool { status == 429 || status >= 500 }
