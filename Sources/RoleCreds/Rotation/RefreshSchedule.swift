/// When to ask for credentials again (spec §5). Pure: a function of the clock, the credentials'
/// expiration, the last attempt and how it went; `jitter` is passed in so tests can fix it.
public enum RefreshSchedule {
    /// Never refresh sooner than this after the last attempt.
    public static let floorMillis: Int64 = 5_000
    /// Back-off never waits longer than this.
    public static let capMillis: Int64 = 300_000
    /// Once the credentials have expired, retries come at least this often.
    public static let expiredCapMillis: Int64 = 60_000
    /// Credentials that arrive already expired (IMDS static stability) are asked for again after this
    /// long plus up to as long again, as the SDKs do (5–10 minutes).
    public static let staticStabilityMillis: Int64 = 300_000

    /// How the last attempt went.
    public enum Outcome: Equatable, Sendable {
        /// New credentials (a different key id, or the first ones).
        case fresh
        /// The same key id as before: the source has not rotated yet.
        case unchanged
        /// The fetch failed (endpoint down, throttled, bad body).
        case failed
    }

    /// The wall-clock time (Unix ms) of the next attempt.
    /// - Parameters:
    ///   - now: wall clock, Unix ms.
    ///   - expiration: the expiration of the credentials held now, Unix seconds.
    ///   - refreshBefore: `--refresh-before`, ms.
    ///   - lastAttempt: when the last attempt finished, Unix ms.
    ///   - streak: how many attempts in a row ended with this outcome (1 for the first).
    ///   - jitter: a random value in `0..<n` for a given `n`.
    public static func next(now: Int64, expiration: Int64, refreshBefore: Int64, lastAttempt: Int64,
                            outcome: Outcome, streak: Int, jitter: (Int64) -> Int64) -> Int64 {
        let expiresAt = expiration * 1000
        let floor = lastAttempt + floorMillis
        if expiresAt <= now && outcome != .failed {
            // IMDS serves its last credentials past their expiration while its own refresh fails.
            return max(now + staticStabilityMillis + jitter(staticStabilityMillis), floor)
        }
        switch outcome {
        case .fresh:
            var target = expiresAt - refreshBefore
            if target <= now {
                // Credentials that live shorter than refresh-before: half their remaining life, so
                // short-lived credentials never cause a refresh every few seconds.
                target = now + max(0, expiresAt - now) / 2
            }
            return max(target, floor)
        case .unchanged, .failed:
            let backoff = backoffMillis(streak: streak, jitter: jitter)
            let remaining = expiresAt - now
            var wait = backoff
            if remaining > 0 {
                // Try again while the credentials are still good: never wait past a quarter of what is left,
                // so several attempts fit before expiry.
                wait = min(wait, max(floorMillis, remaining / 4))
            } else {
                wait = min(wait, expiredCapMillis)
            }
            return max(now + wait, floor)
        }
    }

    /// Capped exponential back-off with jitter: 5 s, 10 s, 20 s, … up to 5 min, each plus up to 20 %.
    public static func backoffMillis(streak: Int, jitter: (Int64) -> Int64) -> Int64 {
        let exponent = Int64(max(0, min(streak - 1, 16)))
        let base = min(capMillis, floorMillis << exponent)
        return base + jitter(base / 5 + 1)
    }
}
