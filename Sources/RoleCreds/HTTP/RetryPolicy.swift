/// Retries with capped, jittered exponential back-off, for the metadata clients and STS alike: connection
/// errors and time-outs, and the answers a caller calls retryable (5xx and 429; STS throttling).
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
        /// The overall deadline left no room for another attempt after the last one, which got
        /// `response` (a retryable answer) or failed with `error`.
        case outOfTime(response: HTTPResponse?, error: HTTPError?)

        /// How the last attempt ended, for messages: its status, or its error.
        public var last: String {
            switch self {
            case .transport(let error), .outOfTime(response: nil, error: let error?): return error.description
            case .outOfTime(response: let response?, error: _): return "\(response.status)"
            case .outOfTime(response: nil, error: nil): return "no answer"
            }
        }
    }

    /// The one retry loop of the metadata clients and STS. Sends the request `build` makes (anew for
    /// each attempt: a SigV4 signature carries its time) up to `attempts` times, each attempt within
    /// `timeoutMillis` and all within `wait`, and returns the first answer that `retryable` declines,
    /// or the last one (`retryable` sees every answer, the last one too). Connection errors and time-outs (`HTTPError.isTransient`) are tried again;
    /// other errors end at once. `onlyNoAnswer` ends true when every failed attempt connected but got
    /// no answer (the IMDS hop-limit symptom).
    public func send(_ build: () -> HTTPRequest, client: HTTPClient, wait: Wait, retryable: (HTTPResponse) -> Bool,
                     onlyNoAnswer: inout Bool, log: (String) -> Void) throws(Failure) -> HTTPResponse {
        var attempt = 1
        onlyNoAnswer = true
        while true {
            var last: HTTPResponse?
            var lastError: HTTPError?
            let request = build()
            do {
                let response = try client.send(request, wait: wait.narrowed(to: wait.clock.monotonicMillis() + timeoutMillis))
                log("\(request.method) \(request.path) → \(response.status)")
                if !retryable(response) || attempt >= attempts { return response }
                last = response
                onlyNoAnswer = false
            } catch {
                log("\(request.method) \(request.path): \(error)")
                if error != .timedOut(connected: true) && error != .closed { onlyNoAnswer = false }
                guard error.isTransient, attempt < attempts else { throw .transport(error) }
                lastError = error
            }
            guard pause(after: attempt, wait) else { throw .outOfTime(response: last, error: lastError) }
            attempt += 1
        }
    }
}

/// Whether an HTTP status is worth retrying (throttling and server errors).
public func isRetryableStatus(_ status: Int) -> Bool { status == 429 || status >= 500 }
