#if canImport(Glibc)
import Glibc
#endif

/// Runs credential fetches off the loop's thread; `RefreshWorker` is the real one, tests pass a fake.
public protocol CredentialRefresher: AnyObject {
    /// Readable when a result is waiting (-1: none to poll; `take` is then called every round).
    var fd: Int32 { get }
    /// True from `start` until the result is taken.
    var isRunning: Bool { get }
    /// Starts a fetch; does nothing when one is running.
    func start()
    /// The finished fetch's result, or nil when none is waiting.
    func take() -> Result<Credentials, CredentialError>?
}

extension RefreshWorker: CredentialRefresher {}

/// Keeps the command supplied as credentials rotate (spec §5): runs refreshes on the schedule,
/// keeps the current credentials through failures (static stability), and on new ones restarts or
/// signals the command (through `ChildControl`) or publishes them to the credential endpoint.
/// Lives in the event loop.
public final class Rotator: LoopParticipant {
    public struct Config: Sendable {
        public var onRotate: Options.OnRotate
        public var refreshBeforeMillis: Int64
        public var serving: Bool
        public init(onRotate: Options.OnRotate, refreshBeforeMillis: Int64, serving: Bool) {
            self.onRotate = onRotate; self.refreshBeforeMillis = refreshBeforeMillis; self.serving = serving
        }
    }

    let config: Config
    /// Nil when nothing would use new credentials (static keys, `--on-rotate none`): then only the
    /// expiry warning is kept.
    let worker: (any CredentialRefresher)?
    let child: any ChildControl
    /// Receives every newer credentials (the `--serve` endpoint).
    let publish: (Credentials) -> Void
    let environment: (Credentials) -> [String]
    let clock: any Clock
    let log: Log

    /// The newest credentials.
    public private(set) var current: Credentials
    /// When the credentials the running child holds in its environment expire (Unix s); nil when serving.
    private var childKeysExpiry: Int64?
    private var warnedChildExpired = false
    private var warnedExpired = false
    private var nextAttempt: Int64?        // monotonic ms
    private var lastOutcome = RefreshSchedule.Outcome.fresh
    private var streak = 1
    private var failing = false

    public init(config: Config, initial: Credentials, worker: (any CredentialRefresher)?, child: any ChildControl,
                publish: @escaping (Credentials) -> Void = { _ in }, environment: @escaping (Credentials) -> [String],
                clock: any Clock = SystemClock(), log: Log = Log()) {
        self.config = config; self.current = initial; self.worker = worker; self.child = child
        self.publish = publish; self.environment = environment; self.clock = clock; self.log = log
        childKeysExpiry = config.serving ? nil : initial.expiration
        // Keys that arrive expired (IMDS static stability) were warned about where they were fetched.
        warnedChildExpired = initial.expiration <= clock.wallSeconds()
        if worker != nil { schedule(after: .fresh) }
    }

    public func descriptors() -> [pollfd] {
        guard let worker, worker.fd >= 0 else { return [] }
        return [pollfd(fd: worker.fd, events: Int16(POLLIN), revents: 0)]
    }

    public func nextDeadline() -> Int64? {
        var deadline: Int64?
        if let worker, !worker.isRunning { deadline = nextAttempt }
        if let expiry = childKeysExpiry, !warnedChildExpired {
            let at = monotonic(atWallMillis: expiry * 1000)
            deadline = min(deadline ?? at, at)
        }
        return deadline
    }

    public func handle(_ fds: [pollfd]) {
        if let worker, worker.isRunning, worker.fd < 0 || fds.first.map({ $0.revents != 0 }) == true,
           let result = worker.take() { apply(result) }
        let now = clock.monotonicMillis()
        if let worker, !worker.isRunning, let at = nextAttempt, now >= at {
            log.debug("refreshing credentials")
            worker.start()
        }
        if let expiry = childKeysExpiry, !warnedChildExpired, clock.wallSeconds() >= expiry {
            warnedChildExpired = true
            log.warn("the command's credentials expired at \(Timestamp.format(expiry)); "
                     + "use --on-rotate restart or --serve to keep a long-running command supplied")
        }
    }

    func apply(_ result: Result<Credentials, CredentialError>) {
        switch result {
        case .failure(let error):
            if !failing {
                failing = true
                log.warn("refreshing credentials failed: \(error); keeping the current ones (expire \(Timestamp.format(current.expiration))) and retrying")
            }
            if clock.wallSeconds() >= current.expiration && !warnedExpired {
                warnedExpired = true
                log.warn("the command holds expired credentials (expired \(Timestamp.format(current.expiration))); still retrying")
            }
            schedule(after: .failed)
        case .success(let fresh):
            if failing {
                failing = false
                log.warn("credentials refreshed again")
            }
            guard fresh.accessKeyId != current.accessKeyId else {
                // Not rotated yet: keep the later expiration if the source extended it, and ask again soon.
                if fresh.expiration > current.expiration { current = fresh; publish(fresh) }
                schedule(after: .unchanged)
                return
            }
            log.debug("new credentials \(fresh.maskedKeyId), expiring \(Timestamp.format(fresh.expiration))")
            current = fresh
            warnedExpired = false
            publish(fresh)
            switch config.onRotate {
            case .none:
                break
            case .restart:
                log.debug("restarting the command with the new credentials")
                child.restart(environment: environment(fresh))
                if !config.serving { childKeysExpiry = fresh.expiration; warnedChildExpired = false }
            case .signal(let sig):
                log.debug("sending \(SignalName.name(sig)) to the command")
                child.signal(sig)
            }
            schedule(after: .fresh)
        }
    }

    private func schedule(after outcome: RefreshSchedule.Outcome) {
        streak = outcome == lastOutcome ? streak + 1 : 1
        lastOutcome = outcome
        let nowWall = wallMillis()
        let at = RefreshSchedule.next(now: nowWall, expiration: current.expiration, refreshBefore: config.refreshBeforeMillis,
                                      lastAttempt: nowWall, outcome: outcome, streak: outcome == .fresh ? 1 : streak, jitter: jitter)
        nextAttempt = monotonic(atWallMillis: at)
        log.debug("next refresh in \(DurationText.format(millis: max(0, at - nowWall) / 1000 * 1000))")
    }

    private func wallMillis() -> Int64 { clock.wallMillis() }

    private func monotonic(atWallMillis wall: Int64) -> Int64 {
        clock.monotonicMillis() + (wall - wallMillis())
    }
}
