/// Retries with capped, jittered exponential back-off: connection errors, time-outs, 5xx and 429.
public struct RetryPolicy: Sendable {
    public let attempts: Int
    /// The deadline of one attempt, ms: the per-request timeout.
    public let timeoutMillis: Int64

    public init(attempts: Int, timeoutMillis: Int64) {
        self.attempts = attempts; self.timeoutMillis = timeoutMillis
    }

    /// Back-off before attempt `n + 1` (n ≥ 1): 100 ms · 2ⁿ⁻¹ with full jitter, capped at 1 s.
    func backoffMillis(_ n: Int) -> Int64 {
        let base = min(Int64(1000), Int64(100) << Int64(min(n - 1, 10)))
        return base / 2 + jitter(base / 2 + 1)
    }

    /// Sleeps the back-off after attempt `n`, unless it would pass the overall deadline; false then.
    func pause(after n: Int, _ wait: Wait) -> Bool {
        let pause = backoffMillis(n)
        if pause >= wait.remainingMillis { return false }
        wait.sleep(pause)
        return true
    }

    /// Why a request with retries gave up.
    public enum Failure: Error {
        /// The last attempt could not connect or got no complete answer, and no retry was left or allowed.
        case transport(HTTPError)
        /// The overall deadline left no room for another attempt after `last` (a status or an error).
        case outOfTime(last: String)
    }

    /// Sends `request` up to `attempts` times (once when `retrying` is false) and returns the last
    /// response. `onlyNoAnswer` ends true when every failed attempt connected but got no answer (the
    /// IMDS hop-limit symptom).
    public func send(_ request: HTTPRequest, client: HTTPClient, wait: Wait, retrying: Bool,
                     onlyNoAnswer: inout Bool, log: (String) -> Void) throws(Failure) -> HTTPResponse {
        var attempt = 1
        onlyNoAnswer = true
        while true {
            let failure: String
            do {
                let response = try client.send(request, wait: wait.narrowed(to: wait.clock.monotonicMillis() + timeoutMillis))
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
            guard pause(after: attempt, wait) else { throw .outOfTime(last: failure) }
            attempt += 1
        }
    }
}

/// Whether an HTTP status is worth retrying (throttling and server errors).
public func isRetryableStatus(_ status: Int) -> Bool { status == 429 || status >= 500 }
