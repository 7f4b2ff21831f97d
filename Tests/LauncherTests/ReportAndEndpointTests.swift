import Foundation
import Testing
@testable import RoleCreds

/// Issue 19, item 12: what the credential endpoint accepts, what `--check` names, what an STS error shows.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct ReportAndEndpointTests {
    @Test func theCredentialEndpointAnswers400ToTwoHostHeaders() async throws {
        let mock = try await Mock()
        let dir = TempDir()
        let run = try Running(Paths.launcher, ["--serve", "--imds-endpoint", mock.url, "--", "sh", "-c", ServedEndpoint.childScript(dir)],
                              environment: baseEnvironment())
        #expect(await run.waitFor(file: dir.path("endpoint"), timeout: 20))
        let endpoint = try ServedEndpoint(dir)
        #expect(endpoint.ask(token: endpoint.token) == 200)
        // The first Host names the endpoint, the second another server (RFC 9112 §3.2: 400).
        #expect(endpoint.ask(token: endpoint.token, extraHeaders: "Host: evil.example\r\n") == 400)
        #expect(endpoint.ask(token: endpoint.token, extraHeaders: "host: 127.0.0.1:\(endpoint.port)\r\n") == 400)
        kill(run.pid, SIGTERM)
        #expect(await run.wait().status == 0)
    }

    @Test func checkNamesTheGitHubActionsTokenServiceAsTheSourcesOrigin() async throws {
        let requestToken = "ghs-request-token-5f0c2e9a"
        let sts = try await FakeSTS(["--github-request-token", requestToken, "--github-jwt", STSTests.jwt])
        let mock = try await Mock()
        let result = try await launch(["--check"], environment: [
            "AWS_ENDPOINT_URL_STS": sts.url, "AWS_EC2_METADATA_SERVICE_ENDPOINT": mock.url, "AWS_ROLE_ARN": STSTests.role,
            "ACTIONS_ID_TOKEN_REQUEST_URL": "http://127.0.0.1:\(sts.port)/_apis/idtoken?api-version=2.0",
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN": requestToken,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let source = result.stdout.split(separator: "\n").first { $0.hasPrefix("setting source = ") } ?? ""
        #expect(source.hasSuffix("(from ACTIONS_ID_TOKEN_REQUEST_URL)"), "\(result.stdout)")
        #expect(!result.stdout.contains(requestToken) && !result.stdout.contains(STSTests.jwt))
    }

    /// Whether `text` holds 12 characters in a row of `secret`, case ignored.
    func quotesPart(of secret: String, in text: String) -> Bool {
        let (s, t) = (Array(secret.lowercased()), text.lowercased())
        return (0...(s.count - 12)).contains { t.contains(String(s[$0..<($0 + 12)])) }
    }

    @Test(arguments: ["upper", "one-off", "split"])
    func anSTSErrorQuotingTheTokenInAChangedFormShowsOnlyItsCode(form: String) async throws {
        let jwt = STSTests.jwt
        let middle = jwt.index(jwt.startIndex, offsetBy: jwt.count / 2)
        let changed: (code: String, message: String) = switch form {
        case "upper": ("InvalidIdentityToken", "token \(jwt.uppercased()) is not valid")
        case "one-off": ("InvalidIdentityToken", "token \(jwt.replacingOccurrences(of: ".", with: "_")) is not valid")
        default: ("InvalidIdentityToken\(jwt[..<middle])", "\(jwt[middle...]) is not valid")
        }
        let sts = try await FakeSTS(error: "\(changed.code):400:\(changed.message)")
        let dir = TempDir()
        try jwt.write(toFile: dir.path("token"), atomically: true, encoding: .utf8)
        let result = try await launch(["--", "true"], environment: [
            "AWS_ENDPOINT_URL_STS": sts.url, "AWS_WEB_IDENTITY_TOKEN_FILE": dir.path("token"), "AWS_ROLE_ARN": STSTests.role,
        ])
        #expect(result.status == 125)
        #expect(result.stderrLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("AssumeRoleWithWebIdentity for \(STSTests.role)"), "\(result.stderr)")
        #expect(!quotesPart(of: jwt, in: result.stderr), "\(form): \(result.stderr)")
        if form != "split" {
            #expect(result.stderr.contains("(HTTP 400): InvalidIdentityToken (the message is not shown: it quotes part of a secret)"), "\(result.stderr)")
        }
        #expect(sts.requests().count == 1)
    }

    @Test func anSTSErrorWithoutASecretStillShowsItsMessage() async throws {
        let sts = try await FakeSTS(error: "AccessDenied:403:User is not authorized to perform sts:AssumeRoleWithWebIdentity")
        let dir = TempDir()
        try STSTests.jwt.write(toFile: dir.path("token"), atomically: true, encoding: .utf8)
        let result = try await launch(["--", "true"], environment: [
            "AWS_ENDPOINT_URL_STS": sts.url, "AWS_WEB_IDENTITY_TOKEN_FILE": dir.path("token"), "AWS_ROLE_ARN": STSTests.role,
        ])
        #expect(result.status == 125)
        #expect(result.stderr.contains("AccessDenied: User is not authorized to perform sts:AssumeRoleWithWebIdentity"), "\(result.stderr)")
    }
}

/// Issue 19, item 10, as a user meets it: the `[services NAME]` section sends STS calls to a local
/// emulator, and `sts_regional_endpoints = legacy` is said once under `-v`. The profile's own `endpoint_url`
/// (a refused loopback port), which the section beats, keeps a broken resolution off the real network.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct ServicesSectionTests {
    @Test func theServicesSectionsSTSEndpointIsCalled() async throws {
        let sts = try await FakeSTS()
        let mock = try await Mock()
        let dir = TempDir()
        try """
        [profile dev]
        role_arn = \(STSTests.role)
        credential_source = Ec2InstanceMetadata
        services = emulator
        sts_regional_endpoints = legacy
        endpoint_url = http://127.0.0.1:9/
        [services emulator]
        sts =
          endpoint_url = \(sts.url)
        """.write(toFile: dir.path("config"), atomically: true, encoding: .utf8)
        let result = try await launch(["-v", "--profile", "dev", "--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID"], environment: [
            "AWS_ENDPOINT_URL_STS": "", "AWS_EC2_METADATA_SERVICE_ENDPOINT": mock.url, "AWS_CONFIG_FILE": dir.path("config"),
            "AWS_SHARED_CREDENTIALS_FILE": dir.path("none"), "AWS_REGION": "eu-west-1",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "ASIAFAKESTS000000001\n")
        #expect(sts.requests().first?.form["RoleArn"] == STSTests.role)
        let legacy = result.stderrLines.filter { $0.contains("sts_regional_endpoints") }
        #expect(legacy == ["with-role-creds: sts_regional_endpoints of profile dev in \(dir.path("config")) = legacy is not supported: STS is called at the regional endpoint (or the global one when no region is set)"],
                "\(result.stderr)")
    }
}
