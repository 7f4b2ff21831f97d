#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import RoleCreds

/// The rotator with a fake clock, a fake refresh and a fake child (spec §5).
@Suite("Rotator")
struct RotatorTests {
    let clock = FakeClock()
    let child = FakeChild()
    let refresher = FakeRefresher()

    func credentials(_ key: String, expiresIn seconds: Int64) -> Credentials {
        Credentials(accessKeyId: key, secretAccessKey: Secret("s-\(key)"), sessionToken: Secret("t-\(key)"),
                    expiration: clock.wallSeconds() + seconds)
    }

    func rotator(_ onRotate: Options.OnRotate, serving: Bool = false, published: @escaping (Credentials) -> Void = { _ in }) -> Rotator {
        Rotator(config: .init(onRotate: onRotate, refreshBeforeMillis: 15 * 60_000, serving: serving),
                initial: credentials("ASIAFIRST0000001", expiresIn: 3600), worker: refresher, child: child,
                publish: published, environment: { ["KEY=\($0.accessKeyId)"] }, clock: clock, log: Log(level: .quiet))
    }

    /// Runs the rotator as the loop does once its deadline has come.
    func runAtDeadline(_ r: Rotator) {
        if let at = r.nextDeadline() { clock.now = max(clock.now, at) }
        r.handle([])
    }

    @Test func refreshesAtExpiryMinusRefreshBeforeAndRestartsWithTheNewKeys() {
        let r = rotator(.restart)
        #expect(r.nextDeadline() == clock.now + 45 * 60_000)
        runAtDeadline(r)
        #expect(refresher.starts == 1)
        refresher.result = .success(credentials("ASIASECOND000002", expiresIn: 3600))
        r.handle([])
        #expect(child.restarts == [["KEY=ASIASECOND000002"]])
        #expect(r.current.accessKeyId == "ASIASECOND000002")
    }

    @Test func theSameKeyIsNoRotation() {
        let r = rotator(.restart)
        runAtDeadline(r)
        refresher.result = .success(credentials("ASIAFIRST0000001", expiresIn: 3600))
        r.handle([])
        #expect(child.restarts.isEmpty)
        // Asked again soon, and before the keys expire.
        let next = r.nextDeadline()!
        #expect(next > clock.now && next < clock.now + 15 * 60_000)
    }

    @Test func aFailureKeepsTheChildAndRetriesWithBackOff() {
        let r = rotator(.restart)
        var waits: [Int64] = []
        for _ in 0..<3 {
            runAtDeadline(r)
            refresher.result = .failure(CredentialError("down", transient: true))
            r.handle([])
            waits.append(r.nextDeadline()! - clock.now)
        }
        #expect(child.restarts.isEmpty && child.signals.isEmpty)
        #expect(waits[0] >= RefreshSchedule.floorMillis)
        #expect(waits[1] > waits[0] && waits[2] > waits[1], "back-off grows: \(waits)")
        runAtDeadline(r)
        refresher.result = .success(credentials("ASIASECOND000002", expiresIn: 3600))
        r.handle([])
        #expect(child.restarts.count == 1)
    }

    @Test func signalModeNudgesTheChildAndPublishes() {
        var published: [String] = []
        let r = rotator(.signal(SIGHUP), serving: true) { published.append($0.accessKeyId) }
        runAtDeadline(r)
        refresher.result = .success(credentials("ASIASECOND000002", expiresIn: 3600))
        r.handle([])
        #expect(child.signals == [SIGHUP])
        #expect(child.restarts.isEmpty)
        #expect(published == ["ASIASECOND000002"])
    }

    @Test func noneOnlyPublishes() {
        var published: [String] = []
        let r = rotator(.none, serving: true) { published.append($0.accessKeyId) }
        runAtDeadline(r)
        refresher.result = .success(credentials("ASIASECOND000002", expiresIn: 3600))
        r.handle([])
        #expect(child.signals.isEmpty && child.restarts.isEmpty)
        #expect(published == ["ASIASECOND000002"])
    }

    /// Rotates `r` to each of `keys` in turn, each refresh at its scheduled time.
    func rotate(_ r: Rotator, through keys: [String]) {
        for key in keys {
            runAtDeadline(r)
            refresher.result = .success(credentials(key, expiresIn: 3600))
            r.handle([])
        }
    }

    /// Every rotation, not only the first, restarts the command with that rotation's keys.
    @Test func everyRotationRestartsTheChildWithItsOwnKeys() {
        let r = rotator(.restart)
        rotate(r, through: ["ASIASECOND000002", "ASIATHIRD0000003"])
        #expect(refresher.starts == 2)
        #expect(child.restarts == [["KEY=ASIASECOND000002"], ["KEY=ASIATHIRD0000003"]])
    }

    /// Every rotation signals the command again (it is started once) and publishes the new keys.
    @Test func everyRotationSignalsTheChildAgain() {
        var published: [String] = []
        let r = rotator(.signal(SIGHUP), serving: true) { published.append($0.accessKeyId) }
        rotate(r, through: ["ASIASECOND000002", "ASIATHIRD0000003"])
        #expect(child.signals == [SIGHUP, SIGHUP])
        #expect(child.restarts.isEmpty)
        #expect(published == ["ASIASECOND000002", "ASIATHIRD0000003"])
    }

    @Test func noRefreshIsStartedWhileOneRuns() {
        let r = rotator(.restart)
        runAtDeadline(r)
        clock.advance(3_600_000)
        r.handle([])
        #expect(refresher.starts == 1)
    }
}
