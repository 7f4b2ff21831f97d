import Testing
@testable import RoleCreds

/// The agent's pure parts (spec §10): the plan and its key, the protocol, the cache's decisions.
@Suite("Agent")
struct AgentUnitTests {
    static let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

    static func settings(_ env: [String: String] = [:], _ args: [String] = ["--assume-role", "arn:aws:iam::111122223333:role/r", "cmd"]) throws -> Settings {
        guard case .run(let options) = try Options.parse(args) else { fatalError() }
        return try Settings.resolve(options, environment: EnvironmentLookup(env.map { "\($0.key)=\($0.value)" }))
    }

    static func staticKeysPlan(secret: String) throws -> AgentPlan {
        var s = try settings(["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:1", "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:2"])
        s.source.value = .staticKeys(StaticKeys(accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: Secret(secret), sessionToken: nil, profile: "p"))
        return AgentPlan(settings: s, environment: EnvironmentLookup([]), workingDirectory: "/w")
    }

    @Test func keyHoldsNoSecretAndTellsSecretsApart() throws {
        let plan = try Self.staticKeysPlan(secret: Self.secret)
        let key = plan.key(secretKey: Array(repeating: 7, count: 32))
        #expect(!key.contains(Self.secret) && !key.contains("AKIAIOSFODNN7EXAMPLE"))
        #expect(plan.wire.compactText.contains(Self.secret), "the wire plan carries what the agent needs to fetch")
        let other = try Self.staticKeysPlan(secret: Self.secret + "x")
        #expect(other.key(secretKey: Array(repeating: 7, count: 32)) != key)
        #expect(plan.key(secretKey: Array(repeating: 8, count: 32)) != key, "the key depends on the agent's own HMAC key")
    }

    @Test func everyResultChangingSettingChangesTheKey() throws {
        let base: [String: String] = ["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:1", "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:2"]
        let arn = "arn:aws:iam::111122223333:role/r"
        let variants: [([String: String], [String])] = [
            ([:], ["--assume-role", arn, "cmd"]),
            ([:], ["--assume-role", "arn:aws:iam::111122223333:role/other", "cmd"]),
            ([:], ["--assume-role", arn, "--role-session-name", "s1", "cmd"]),
            ([:], ["--assume-role", arn, "--external-id", "ext-1", "cmd"]),
            ([:], ["--assume-role", arn, "--duration", "1h", "cmd"]),
            (["AWS_REGION": "eu-west-1"], ["--assume-role", arn, "cmd"]),
            (["AWS_ENDPOINT_URL_STS": "http://127.0.0.1:3"], ["--assume-role", arn, "cmd"]),
            (["AWS_CA_BUNDLE": "ca.pem"], ["--assume-role", arn, "cmd"]),
            (["HTTPS_PROXY": "http://127.0.0.1:8"], ["--assume-role", arn, "cmd"]),
            ([:], ["--assume-role", arn, "--role", "other-role", "cmd"]),
            ([:], ["--assume-role", arn, "--allow-imdsv1", "cmd"]),
            ([:], ["--assume-role", arn, "--timeout", "2s", "cmd"]),
        ]
        var keys: Set<String> = []
        for (env, args) in variants {
            let environment = base.merging(env) { $1 }
            let plan = AgentPlan(settings: try Self.settings(environment, args), environment: EnvironmentLookup(environment.map { "\($0.key)=\($0.value)" }),
                                 workingDirectory: "/w")
            keys.insert(plan.key(secretKey: [1]))
        }
        #expect(keys.count == variants.count)
    }

    @Test func planRoundTripsWithAbsolutePaths() throws {
        let env = ["AWS_WEB_IDENTITY_TOKEN_FILE": "token.jwt", "AWS_ROLE_ARN": "arn:aws:iam::111122223333:role/ci",
                   "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:2", "AWS_CA_BUNDLE": "certs/ca.pem", "NO_PROXY": "localhost"]
        let plan = AgentPlan(settings: try Self.settings(env, ["--assume-role", "arn:aws:iam::111122223333:role/r", "--external-id", "x-1", "cmd"]),
                             environment: EnvironmentLookup(env.map { "\($0.key)=\($0.value)" }), workingDirectory: "/work/job")
        guard case .webIdentity(let w) = plan.settings.source.value else { Issue.record("not web identity"); return }
        #expect(w.token == .file("/work/job/token.jwt"))
        #expect(plan.settings.caBundle?.value == "/work/job/certs/ca.pem")
        let line = AgentRequest.get(plan, refreshBeforeMillis: 900_000, mfaCodes: [:]).line
        #expect(line.hasSuffix("}\n") && line.dropLast().firstIndex(of: "\n") == nil)
        let decoded = try AgentRequest.decode(Array(line.utf8.dropLast()))
        guard case .get(let back, let refreshBefore, let codes) = decoded, codes.isEmpty else { Issue.record("not a get"); return }
        #expect(refreshBefore == 900_000)
        #expect(back.key(secretKey: [1]) == plan.key(secretKey: [1]))
    }

    @Test(arguments: [
        ("not json", "not JSON"),
        ("{\"v\":1,\"op\":\"get\"}", "protocol version"),
        ("{\"v\":2,\"op\":\"dance\"}", "unknown op"),
        ("{\"v\":2,\"op\":\"get\",\"refreshBefore\":0,\"plan\":{\"v\":9}}", "plan version"),
        ("{\"v\":2,\"op\":\"get\",\"refreshBefore\":-5,\"plan\":{}}", "refreshBefore"),
        ("{\"v\":2,\"op\":\"get\",\"refreshBefore\":0,\"plan\":{\"v\":1,\"timeout\":1000,\"attempts\":3,\"source\":{\"kind\":\"ftp\"}}}", "unknown kind"),
    ])
    func badRequestsAreNamed(text: String, fragment: String) {
        #expect(throws: AgentProtocolError.self) { try AgentRequest.decode(Array(text.utf8)) }
        do { _ = try AgentRequest.decode(Array(text.utf8)) } catch { #expect(error.description.contains(fragment), "\(error)") }
    }

    static func credentials(expiresIn seconds: Int64, at wall: Int64) -> Credentials {
        Credentials(accessKeyId: "ASIAEXAMPLE0001", secretAccessKey: Secret(secret), sessionToken: Secret("token-0001-abcdef"),
                    expiration: wall / 1000 + seconds)
    }

    @Test func oneFetchServesEveryoneUntilTheRefreshPoint() throws {
        var cache = AgentCache()
        let plan = try Self.staticKeysPlan(secret: Self.secret)
        let wall: Int64 = 1_800_000_000_000
        #expect(cache.request(key: "k", plan: plan, refreshBefore: 900_000, connection: 1, monotonic: 0, wall: wall) == .wait(start: true))
        #expect(cache.request(key: "k", plan: plan, refreshBefore: 900_000, connection: 2, monotonic: 1, wall: wall) == .wait(start: false))
        let c = Self.credentials(expiresIn: 3600, at: wall)
        let (waiters, answer) = cache.completed(key: "k", result: .success((c, "eu-west-1")), monotonic: 2, wall: wall)
        #expect(waiters == [1, 2])
        #expect(answer == .credentials(c, region: "eu-west-1", fetchedAtMillis: wall, cached: false))
        // 44 minutes later: still before Expiration − 15m.
        #expect(cache.request(key: "k", plan: plan, refreshBefore: 900_000, connection: 3, monotonic: 3, wall: wall + 44 * 60_000)
                == .answer(.credentials(c, region: "eu-west-1", fetchedAtMillis: wall, cached: true)))
        // A rotating launch that wants 50 minutes left is not served the same keys.
        #expect(cache.request(key: "k", plan: plan, refreshBefore: 50 * 60_000, connection: 4, monotonic: 4, wall: wall + 44 * 60_000)
                == .wait(start: true))
    }

    @Test func aFailureAnswersForFiveSecondsOnly() throws {
        var cache = AgentCache()
        let plan = try Self.staticKeysPlan(secret: Self.secret)
        _ = cache.request(key: "k", plan: plan, refreshBefore: 900_000, connection: 1, monotonic: 0, wall: 0)
        let (_, answer) = cache.completed(key: "k", result: .failure(CredentialError("AccessDenied")), monotonic: 100, wall: 0)
        #expect(answer == .failure("AccessDenied", transient: false))
        #expect(cache.request(key: "k", plan: plan, refreshBefore: 900_000, connection: 2, monotonic: 5_099, wall: 0) == .answer(answer))
        #expect(cache.request(key: "k", plan: plan, refreshBefore: 900_000, connection: 3, monotonic: 5_100, wall: 0) == .wait(start: true))
    }

    @Test func refreshesInTheBackgroundOnlyWhatIsInUse() throws {
        var cache = AgentCache()
        let plan = try Self.staticKeysPlan(secret: Self.secret)
        let wall: Int64 = 1_800_000_000_000
        for key in ["used", "unused"] {
            _ = cache.request(key: key, plan: plan, refreshBefore: 900_000, connection: 1, monotonic: 0, wall: wall)
            _ = cache.completed(key: key, result: .success((Self.credentials(expiresIn: 3600, at: wall), nil)), monotonic: 0, wall: wall)
        }
        _ = cache.request(key: "used", plan: plan, refreshBefore: 900_000, connection: 2, monotonic: 40 * 60_000, wall: wall + 40 * 60_000)
        let next = cache.nextDeadline(monotonic: 0, wall: wall)
        #expect(next == Int64(45 * 60_000), "\(String(describing: next))")
        #expect(cache.due(monotonic: 44 * 60_000, wall: wall + 44 * 60_000, idleMillis: 3_600_000 / 6).isEmpty)
        // At the refresh point, with a 10-minute idle time: "used" was asked 5 minutes ago, "unused" 45.
        #expect(cache.due(monotonic: 45 * 60_000, wall: wall + 45 * 60_000, idleMillis: 600_000) == ["used"])
        #expect(cache.count == 1)
    }
}
