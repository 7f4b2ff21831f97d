import Testing
@testable import RoleCreds

/// An MFA chain in the agent's pure parts: the plan names its device, the protocol carries
/// the codes and the `mfa` answer, and the cache asks for codes only when it has nothing to serve,
/// never keeps a failure and never refreshes such a plan by itself.
@Suite("Agent MFA")
struct AgentMFAUnitTests {
    static let serial = "arn:aws:iam::111122223333:mfa/alice"
    static let wall: Int64 = 1_800_000_000_000

    /// An `--assume-role` plan whose hop needs the code of `serial`.
    static func plan() throws -> AgentPlan {
        var s = try AgentUnitTests.settings(["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:1", "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:2"])
        s.hops[0].mfaSerial = serial
        return AgentPlan(settings: s, environment: EnvironmentLookup([]), workingDirectory: "/w")
    }

    @Test func theSerialTravelsInThePlanAndTheCodesBesideIt() throws {
        let plan = try Self.plan()
        #expect(plan.mfaSerials == [Self.serial])
        let line = AgentRequest.get(plan, refreshBeforeMillis: 0, mfaCodes: [Self.serial: Secret("123456")]).line
        guard case .get(let back, _, let codes) = try AgentRequest.decode(Array(line.utf8.dropLast())) else { Issue.record("not a get"); return }
        #expect(back.mfaSerials == [Self.serial] && back == plan)
        #expect(codes == [Self.serial: Secret("123456")])
        #expect(try AgentAnswer.decode(Array(AgentAnswer.needsMFA(serials: [Self.serial]).line.utf8.dropLast()))
                == .needsMFA(serials: [Self.serial]))
    }

    @Test(arguments: ["12345", "1234567", "12345a", "٣١٤١٥٩"])
    func aBadCodeIsRefusedWithoutBeingQuoted(code: String) throws {
        let plan = try Self.plan()
        var text = AgentRequest.get(plan, refreshBeforeMillis: 0, mfaCodes: [:]).line.dropLast()
        text.removeLast()
        text += ",\"mfaCodes\":{\"\(Self.serial)\":\"\(code)\"}}"
        do {
            _ = try AgentRequest.decode(Array(text.utf8))
            Issue.record("accepted \(code)")
        } catch {
            #expect(error.description == "request: mfaCodes must map MFA device serials to 6-digit codes")
        }
    }

    @Test func codesAreAskedOnlyWhenNothingIsHeld() throws {
        var cache = AgentCache()
        let plan = try Self.plan()
        #expect(cache.request(key: "k", plan: plan, refreshBefore: 900_000, connection: 1, monotonic: 0, wall: Self.wall)
                == .answer(.needsMFA(serials: [Self.serial])))
        #expect(cache.request(key: "k", plan: plan, refreshBefore: 900_000, connection: 2, monotonic: 1, wall: Self.wall, codes: [Self.serial])
                == .wait(start: true))
        // A launch without a code joins the fetch under way instead of prompting.
        #expect(cache.request(key: "k", plan: plan, refreshBefore: 900_000, connection: 3, monotonic: 2, wall: Self.wall) == .wait(start: false))
        let c = AgentUnitTests.credentials(expiresIn: 3600, at: Self.wall)
        #expect(cache.completed(key: "k", result: .success((c, nil)), monotonic: 3, wall: Self.wall).waiters == [2, 3])
        #expect(cache.request(key: "k", plan: plan, refreshBefore: 900_000, connection: 4, monotonic: 4, wall: Self.wall + 44 * 60_000)
                == .answer(.credentials(c, region: nil, fetchedAtMillis: Self.wall, cached: true)))
        // At the refresh point: no refresh in the background (no code), the keys dropped, a code asked again.
        #expect(cache.due(monotonic: 45 * 60_000, wall: Self.wall + 45 * 60_000, idleMillis: 3_600_000).isEmpty)
        #expect(cache.count == 0)
        #expect(cache.request(key: "k", plan: plan, refreshBefore: 900_000, connection: 5, monotonic: 45 * 60_000, wall: Self.wall + 45 * 60_000)
                == .answer(.needsMFA(serials: [Self.serial])))
    }

    @Test func aFailedFetchIsNotKept() throws {
        var cache = AgentCache()
        let plan = try Self.plan()
        _ = cache.request(key: "k", plan: plan, refreshBefore: 900_000, connection: 1, monotonic: 0, wall: Self.wall, codes: [Self.serial])
        let (_, answer) = cache.completed(key: "k", result: .failure(CredentialError("AccessDenied: MultiFactorAuthentication failed")),
                                         monotonic: 10, wall: Self.wall)
        #expect(answer == .failure("AccessDenied: MultiFactorAuthentication failed", transient: false))
        #expect(cache.request(key: "k", plan: plan, refreshBefore: 900_000, connection: 2, monotonic: 20, wall: Self.wall)
                == .answer(.needsMFA(serials: [Self.serial])), "the next launch is asked for a code, not given the failure")
    }
}
