import Testing
@testable import RoleCreds

/// The refresh schedule of spec §5, with the jitter fixed at zero unless a case says otherwise.
struct RefreshScheduleTests {
    let now: Int64 = 1_800_000_000_000   // Unix ms
    var nowSeconds: Int64 { now / 1000 }
    let noJitter: (Int64) -> Int64 = { _ in 0 }

    @Test func freshCredentialsRefreshRefreshBeforeTheirExpiry() {
        // Six-hour credentials, 15 min before expiry.
        let at = RefreshSchedule.next(now: now, expiration: nowSeconds + 6 * 3600, refreshBefore: 15 * 60_000,
                                      lastAttempt: now, outcome: .fresh, streak: 1, jitter: noJitter)
        #expect(at == now + (6 * 3600 - 15 * 60) * 1000)
    }

    @Test func shortLivedCredentialsRefreshAtHalfTheirRemainingLife() {
        // 15-minute container credentials under the 15m default: not every 5 s, but after 7.5 min.
        let at = RefreshSchedule.next(now: now, expiration: nowSeconds + 15 * 60, refreshBefore: 15 * 60_000,
                                      lastAttempt: now, outcome: .fresh, streak: 1, jitter: noJitter)
        #expect(at == now + 450_000)
    }

    @Test func sixtySecondCredentialsWith55sRefreshAfterFiveSeconds() {
        let at = RefreshSchedule.next(now: now, expiration: nowSeconds + 60, refreshBefore: 55_000,
                                      lastAttempt: now, outcome: .fresh, streak: 1, jitter: noJitter)
        #expect(at == now + 5_000)
    }

    @Test(arguments: [RefreshSchedule.Outcome.fresh, .unchanged])
    func expiredCredentialsFromIMDSAreAskedForAgainInFiveToTenMinutes(outcome: RefreshSchedule.Outcome) {
        // Static stability: IMDS serves credentials past their expiration while its refresh fails.
        for (jitter, wait) in [(Int64(0), Int64(300_000)), (299_999, 599_999)] {
            let at = RefreshSchedule.next(now: now, expiration: nowSeconds - 3600, refreshBefore: 15 * 60_000,
                                          lastAttempt: now, outcome: outcome, streak: 1, jitter: { _ in jitter })
            #expect(at == now + wait)
        }
    }

    @Test func neverSoonerThanFiveSecondsAfterTheLastAttempt() {
        let at = RefreshSchedule.next(now: now, expiration: nowSeconds + 60, refreshBefore: 58_000,
                                      lastAttempt: now, outcome: .fresh, streak: 1, jitter: noJitter)
        #expect(at == now + 5_000)
        let failed = RefreshSchedule.next(now: now, expiration: nowSeconds + 3600, refreshBefore: 0,
                                          lastAttempt: now, outcome: .failed, streak: 1, jitter: noJitter)
        #expect(failed >= now + 5_000)
    }

    @Test(arguments: [(1, Int64(5_000)), (2, 10_000), (3, 20_000), (4, 40_000), (7, 300_000), (30, 300_000)])
    func failuresBackOffExponentiallyUpToACap(streak: Int, expected: Int64) {
        // Credentials valid for a day, so the quarter-of-remaining bound does not apply.
        let at = RefreshSchedule.next(now: now, expiration: nowSeconds + 86_400, refreshBefore: 15 * 60_000,
                                      lastAttempt: now, outcome: .failed, streak: streak, jitter: noJitter)
        #expect(at - now == expected)
    }

    @Test func unchangedKeyIsRetriedWithBackOffBeforeExpiry() {
        // 40 s left: never wait more than a quarter of it (but at least the floor).
        let at = RefreshSchedule.next(now: now, expiration: nowSeconds + 40, refreshBefore: 15 * 60_000,
                                      lastAttempt: now, outcome: .unchanged, streak: 5, jitter: noJitter)
        #expect(at - now == 10_000)
        #expect(at < (nowSeconds + 40) * 1000)
    }

    @Test func afterExpiryRetriesAtLeastEveryMinute() {
        let at = RefreshSchedule.next(now: now, expiration: nowSeconds - 10, refreshBefore: 15 * 60_000,
                                      lastAttempt: now, outcome: .failed, streak: 12, jitter: noJitter)
        #expect(at - now == 60_000)
    }

    @Test func jitterAddsAtMostAFifth() {
        var asked: [Int64] = []
        let backoff = RefreshSchedule.backoffMillis(streak: 3, jitter: { n in asked.append(n); return n - 1 })
        #expect(asked == [4_001])
        #expect(backoff == 20_000 + 4_000)
    }
}

/// The credential endpoint's answers, without sockets.
struct CredentialEndpointTests {
    let credentials = Credentials(accessKeyId: "ASIAENDPOINTTEST0001", secretAccessKey: Secret("endpoint-secret"),
                                  sessionToken: Secret("endpoint-token"), expiration: 1_900_000_000, accountId: "123456789012")

    func request(_ method: String = "GET", _ path: String = "/credentials", token: String?, host: String?) -> ServerRequest {
        var headers = HTTPHeaders()
        if let host { headers.add("Host", host) }
        if let token { headers.add("Authorization", token) }
        return ServerRequest(method: method, target: path, headers: headers, body: [])
    }

    @Test func answersByTheRules() throws {
        let endpoint = try CredentialEndpoint(credentials: credentials)
        let token = endpoint.authorizationToken.reveal()
        let host = "127.0.0.1:\(endpoint.port)"
        #expect(token.count == 64 && token.allSatisfy(\.isHexDigit))
        let ok = endpoint.answer(request(token: token, host: host))
        #expect(ok.status == 200)
        let json = try JSON.parse(ok.body)
        #expect(json["SecretAccessKey"] == .string("endpoint-secret"))
        #expect(json["Token"] == .string("endpoint-token"))
        #expect(json["AccountId"] == .string("123456789012"))
        #expect(endpoint.answer(request(token: nil, host: host)).status == 403)
        #expect(endpoint.answer(request(token: token + "0", host: host)).status == 403)
        #expect(endpoint.answer(request(token: String(token.dropLast()), host: host)).status == 403)
        #expect(endpoint.answer(request(token: token, host: "attacker.example:\(endpoint.port)")).status == 403)
        #expect(endpoint.answer(request(token: token, host: nil)).status == 403)
        #expect(endpoint.answer(request("GET", "/other", token: token, host: host)).status == 404)
        #expect(endpoint.answer(request("POST", "/credentials", token: token, host: host)).status == 405)
        // Refusals carry no credential.
        for refused in [endpoint.answer(request(token: nil, host: host)), endpoint.answer(request("GET", "/x", token: token, host: host))] {
            #expect(!String(decoding: refused.body, as: UTF8.self).contains("endpoint-secret"))
        }
    }

    @Test func servesTheNewestCredentials() throws {
        let endpoint = try CredentialEndpoint(credentials: credentials)
        var next = credentials
        next.accessKeyId = "ASIAENDPOINTTEST0002"
        endpoint.credentials = next
        let answer = endpoint.answer(request(token: endpoint.authorizationToken.reveal(), host: "127.0.0.1:\(endpoint.port)"))
        #expect(try JSON.parse(answer.body)["AccessKeyId"] == .string("ASIAENDPOINTTEST0002"))
    }

    @Test func constantTimeCompare() {
        #expect(CredentialEndpoint.constantTimeEquals("abc", "abc"))
        #expect(!CredentialEndpoint.constantTimeEquals("abd", "abc"))
        #expect(!CredentialEndpoint.constantTimeEquals("ab", "abc"))
        #expect(!CredentialEndpoint.constantTimeEquals("abcd", "abc"))
        #expect(!CredentialEndpoint.constantTimeEquals("", "abc"))
    }
}
