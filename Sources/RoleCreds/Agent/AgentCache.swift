/// The agent's memory (spec §10): per plan, the credentials until their refresh point (spec §5), the
/// one fetch under way and who waits for it (single flight), and a failure for at most `failureMillis`.
/// Pure: the server passes the clocks in and starts the fetches it is told to.
public struct AgentCache {
    /// A failed fetch answers later requests for this long, no longer: a fixed trust policy works at once.
    public static let failureMillis: Int64 = 5_000
    /// The most plans held; the one asked for least recently goes first.
    public static let maxPlans = 1024

    /// What a plan holds.
    struct Entry {
        var plan: AgentPlan
        var credentials: Credentials?
        var region: String?
        /// Unix ms when `credentials` arrived.
        var fetchedAt: Int64 = 0
        /// The failure of the last fetch and when (monotonic ms) it ended.
        var failure: (message: String, transient: Bool, at: Int64)?
        var fetching = false
        /// Connections waiting for the fetch under way.
        var waiters: [Int32] = []
        /// Monotonic ms of the last request.
        var lastAsked: Int64
        /// The largest `--refresh-before` asked with: the background refresh honours every launch.
        var refreshBefore: Int64
    }

    /// What to do with one request.
    public enum Decision: Equatable {
        /// Answer now.
        case answer(AgentAnswer)
        /// Wait for the fetch under way; `start`: the caller starts it (the first request of a flight).
        case wait(start: Bool)
    }

    private(set) var entries: [String: Entry] = [:]

    public init() {}

    /// How many plans are held.
    public var count: Int { entries.count }

    /// The plan of `key`, for the fetch the server starts.
    public func plan(_ key: String) -> AgentPlan? { entries[key]?.plan }

    /// The refresh point of credentials that arrived at `fetchedAt` (spec §5, as a launch computes it).
    static func refreshPoint(_ c: Credentials, fetchedAt: Int64, refreshBefore: Int64) -> Int64 {
        RefreshSchedule.next(now: fetchedAt, expiration: c.expiration, refreshBefore: refreshBefore, lastAttempt: fetchedAt,
                             outcome: .fresh, streak: 1, jitter: { _ in 0 })
    }

    /// A request from `connection` for `plan` (cache key `key`); `codes`: the MFA serials it sent a code for.
    /// An MFA plan with nothing to serve and no fetch under way needs a code for each of its devices.
    public mutating func request(key: String, plan: AgentPlan, refreshBefore: Int64, connection: Int32,
                                 monotonic: Int64, wall: Int64, codes: Set<String> = []) -> Decision {
        if entries[key] == nil {
            if entries.count >= Self.maxPlans, let oldest = entries.filter({ !$0.value.fetching }).min(by: { $0.value.lastAsked < $1.value.lastAsked }) {
                entries[oldest.key] = nil
            }
            entries[key] = Entry(plan: plan, lastAsked: monotonic, refreshBefore: refreshBefore)
        }
        var entry = entries[key]!
        defer { entries[key] = entry }
        entry.lastAsked = monotonic
        entry.refreshBefore = max(entry.refreshBefore, refreshBefore)
        if let c = entry.credentials, wall < Self.refreshPoint(c, fetchedAt: entry.fetchedAt, refreshBefore: refreshBefore) {
            return .answer(.credentials(c, region: entry.region, fetchedAtMillis: entry.fetchedAt, cached: true))
        }
        if !entry.fetching, let failure = entry.failure, monotonic - failure.at < Self.failureMillis {
            return .answer(.failure(failure.message, transient: failure.transient))
        }
        let missing = plan.mfaSerials.filter { !codes.contains($0) }
        if !entry.fetching && !missing.isEmpty { return .answer(.needsMFA(serials: missing)) }
        entry.waiters.append(connection)
        if entry.fetching { return .wait(start: false) }
        entry.fetching = true
        return .wait(start: true)
    }

    /// A connection that went away stops waiting.
    public mutating func forget(connection: Int32, key: String) {
        entries[key]?.waiters.removeAll { $0 == connection }
    }

    /// The fetch of `key` ended: the connections to answer, and the answer.
    public mutating func completed(key: String, result: Result<(Credentials, String?), CredentialError>,
                                   monotonic: Int64, wall: Int64) -> (waiters: [Int32], answer: AgentAnswer) {
        guard var entry = entries[key] else { return ([], .failure("the plan was dropped", transient: true)) }
        let waiters = entry.waiters
        entry.waiters = []
        entry.fetching = false
        let answer: AgentAnswer
        switch result {
        case .success(let (c, region)):
            entry.credentials = c; entry.region = region; entry.fetchedAt = wall; entry.failure = nil
            answer = .credentials(c, region: region, fetchedAtMillis: wall, cached: false)
        case .failure(let error):
            // Credentials past their refresh point are not served again: a launch gets the error instead.
            entry.credentials = nil
            // An MFA chain's failure (a wrong code, most often) is not kept: the next launch is asked again.
            entry.failure = entry.plan.mfaSerials.isEmpty ? (error.description, error.isTransient, monotonic) : nil
            answer = .failure(error.description, transient: error.isTransient)
        }
        entries[key] = entry
        return (waiters, answer)
    }

    /// Due work at `monotonic`/`wall`: the plans to refresh in the background now (asked for within
    /// `idleMillis`); credentials past their refresh point that nobody asked for lately, an MFA chain's
    /// (no code to refresh them with: the next launch is asked for one), and expired failures, are dropped.
    public mutating func due(monotonic: Int64, wall: Int64, idleMillis: Int64) -> [String] {
        var refresh: [String] = []
        for (key, var entry) in entries where !entry.fetching {
            if let failure = entry.failure, monotonic - failure.at >= Self.failureMillis { entry.failure = nil }
            if let c = entry.credentials, wall >= Self.refreshPoint(c, fetchedAt: entry.fetchedAt, refreshBefore: entry.refreshBefore) {
                if monotonic - entry.lastAsked < idleMillis && entry.plan.mfaSerials.isEmpty {
                    entry.fetching = true
                    refresh.append(key)
                } else {
                    entry.credentials = nil
                }
            }
            entries[key] = entry.credentials == nil && entry.failure == nil && !entry.fetching ? nil : entry
        }
        return refresh
    }

    /// The next monotonic ms at which `due` has work, or nil.
    public func nextDeadline(monotonic: Int64, wall: Int64) -> Int64? {
        var next: Int64?
        for entry in entries.values where !entry.fetching {
            var at: Int64?
            if let c = entry.credentials {
                at = monotonic + max(0, Self.refreshPoint(c, fetchedAt: entry.fetchedAt, refreshBefore: entry.refreshBefore) - wall)
            }
            if let failure = entry.failure { at = min(at ?? .max, failure.at + Self.failureMillis) }
            if let at { next = min(next ?? at, at) }
        }
        return next
    }
}
