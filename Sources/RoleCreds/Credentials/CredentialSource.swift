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

/// Why a request with retries gave up.
enum RetryFailure: Error {
    /// The last attempt could not connect or got no complete answer, and no retry was left or allowed.
    case transport(HTTPError)
    /// The overall deadline left no room for another attempt after `last` (a status or an error).
    case outOfTime(last: String)
}

extension RetryPolicy {
    /// Sends `request` up to `attempts` times: connection errors, time-outs, 5xx and 429 are retried with
    /// back-off (unless `retrying` is false). Returns the last response otherwise. `onlyNoAnswer` ends true
    /// when every failed attempt connected but got no answer (the IMDS hop-limit symptom).
    func send(_ request: HTTPRequest, client: HTTPClient, deadline: Int64, retrying: Bool,
              onlyNoAnswer: inout Bool, log: (String) -> Void) throws(RetryFailure) -> HTTPResponse {
        var attempt = 1
        onlyNoAnswer = true
        while true {
            let failure: String
            do {
                let response = try client.send(request, deadline: attemptDeadline(deadline))
                log("\(request.method) \(request.path) → \(response.status)")
                if !retrying || !isRetryableStatus(response.status) || attempt >= attempts { return response }
                failure = "\(response.status)"
                onlyNoAnswer = false
            } catch {
                log("\(request.method) \(request.path): \(error)")
                if error != .timedOut(connected: true) && error != .closed { onlyNoAnswer = false }
                guard error.isTransient, retrying, attempt < attempts else { throw .transport(error) }
                failure = error.description
            }
            attempt += 1
            guard pause(before: attempt - 1, overall: deadline) else { throw .outOfTime(last: failure) }
        }
    }
}

/// Whether an HTTP status is worth retrying (throttling and server errors).
func isRetryableStatus(_ status: Int) -> Bool { status == 429 || status >= 500 }
