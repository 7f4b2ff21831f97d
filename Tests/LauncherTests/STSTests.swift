import Foundation
import Glibc
import Testing
@testable import RoleCreds

/// A fake STS on loopback (Fixtures/fake_sts.py), plain or TLS, that also plays the GitHub Actions token
/// service and a container credential endpoint: every request it got, as JSON lines.
final class FakeSTS {
    let server: HelperServer
    var dir: TempDir { server.dir }
    var port: UInt16 { UInt16(server.ready)! }
    /// Whether it speaks TLS (started with a certificate).
    let tls: Bool
    /// The host in `url`: a TLS fake is reached by the name its certificate is checked against.
    var host = "127.0.0.1"
    var url: String { "\(tls ? "https" : "http")://\(host):\(port)/" }

    /// `error`: `CODE:STATUS:MESSAGE` for every STS call; `arguments`: more of fake_sts.py's options;
    /// `tls`: a certificate and key to serve TLS with.
    init(error: String = "", _ arguments: [String] = [], tls: (cert: String, key: String)? = nil) async throws {
        self.tls = tls != nil
        if tls != nil { host = "localhost" }
        let script = Paths.root.appendingPathComponent("Tests/LauncherTests/Fixtures/fake_sts.py").path
        server = try await HelperServer("fake STS", readyFile: "port") { dir in
            ["/usr/bin/env", "python3", script, "--port-file", dir.path("port"), "--log", dir.path("log")]
                + (error.isEmpty ? [] : ["--error", error]) + arguments + (tls.map { ["--tls", $0.cert, $0.key] } ?? [])
        }
    }

    /// Every log entry so far, as JSON objects.
    func entries() -> [[String: Any]] {
        let text = (try? String(contentsOfFile: dir.path("log"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        }
    }

    /// The STS calls so far: form fields and headers.
    func requests() -> [(form: [String: String], headers: [String: String])] {
        entries().compactMap { object in
            guard let form = object["form"] as? [String: String] else { return nil }
            return (form, object["headers"] as? [String: String] ?? [:])
        }
    }

    /// The GET requests so far (the GitHub token service, the container endpoint): path and headers.
    func gets() -> [(path: String, headers: [String: String])] {
        entries().compactMap { object in
            guard let path = object["get"] as? String else { return nil }
            return (path, object["headers"] as? [String: String] ?? [:])
        }
    }

    /// The TLS handshake outcomes so far, once at least one is logged (waits up to 10 s).
    func handshakes() async -> [String] {
        let events = { self.entries().compactMap { $0["event"] as? String } }
        _ = await eventually { !events().isEmpty }
        return events()
    }
}

@Suite(.serialized, .timeLimit(.minutes(2)))
struct STSTests {
    static let role = "arn:aws:iam::111122223333:role/deploy"
    static let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6ZGVmYXVsdDpteS1zYSJ9.c2lnbmF0dXJl"

    @Test func webIdentityFromATokenFileGivesTheRolesKeys() async throws {
        let sts = try await FakeSTS()
        let mock = try await Mock()
        let dir = TempDir()
        try (Self.jwt + "\n").write(toFile: dir.path("token"), atomically: true, encoding: .utf8)
        let result = try await launch(["-v", "--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID $AWS_ACCOUNT_ID; env | grep -c '^AWS_WEB_IDENTITY\\|^AWS_ROLE_ARN' || true"], environment: [
            "AWS_ENDPOINT_URL_STS": sts.url, "AWS_EC2_METADATA_SERVICE_ENDPOINT": mock.url,
            "AWS_WEB_IDENTITY_TOKEN_FILE": dir.path("token"), "AWS_ROLE_ARN": Self.role, "AWS_ROLE_SESSION_NAME": "pod-session",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "ASIAFAKESTS000000001 111122223333\n0\n", "\(result.stdout)")
        let request = try #require(sts.requests().first)
        #expect(request.form["Action"] == "AssumeRoleWithWebIdentity")
        #expect(request.form["WebIdentityToken"] == Self.jwt)
        #expect(request.form["RoleArn"] == Self.role && request.form["RoleSessionName"] == "pod-session")
        #expect(request.headers["Authorization"] == nil, "web identity is unsigned")
        #expect(mock.log().isEmpty, "IMDS was asked: \(mock.log())")
        #expect(!result.stderr.contains(Self.jwt))
    }

    @Test func aTokenWithoutARoleIsAnErrorNotIMDS() async throws {
        let mock = try await Mock()
        let dir = TempDir()
        try Self.jwt.write(toFile: dir.path("token"), atomically: true, encoding: .utf8)
        let result = try await launch(["--", "true"], environment: [
            "AWS_EC2_METADATA_SERVICE_ENDPOINT": mock.url, "AWS_WEB_IDENTITY_TOKEN_FILE": dir.path("token"),
        ])
        #expect(result.status == 125)
        #expect(result.stderr.contains("no role ARN"), "\(result.stderr)")
        #expect(mock.log().isEmpty)
    }

    @Test func aMissingTokenFileIsAnErrorNotIMDS() async throws {
        let sts = try await FakeSTS()
        let mock = try await Mock()
        let result = try await launch(["--", "true"], environment: [
            "AWS_ENDPOINT_URL_STS": sts.url, "AWS_EC2_METADATA_SERVICE_ENDPOINT": mock.url,
            "AWS_WEB_IDENTITY_TOKEN_FILE": "/nonexistent/token", "AWS_ROLE_ARN": Self.role,
        ])
        #expect(result.status == 125)
        #expect(result.stderr.contains("web identity token file"), "\(result.stderr)")
        #expect(mock.log().isEmpty && sts.requests().isEmpty)
    }

    @Test func assumeRoleOverIMDSIsSignedWithTheBaseKeysAndScopedDown() async throws {
        let sts = try await FakeSTS()
        let mock = try await Mock()
        let dir = TempDir()
        try "{ \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}] }"
            .write(toFile: dir.path("policy.json"), atomically: true, encoding: .utf8)
        let base = try mock.current()
        let result = try await launch(["--imds-endpoint", mock.url, "--assume-role", Self.role, "--external-id", "ext-123",
                                 "--duration", "1h", "--session-policy", dir.path("policy.json"), "--role-session-name", "deploy-1",
                                 "--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID"], environment: ["AWS_ENDPOINT_URL_STS": sts.url, "AWS_REGION": "eu-west-1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "ASIAFAKESTS000000001\n")
        let request = try #require(sts.requests().first)
        #expect(request.form["Action"] == "AssumeRole" && request.form["RoleArn"] == Self.role)
        #expect(request.form["ExternalId"] == "ext-123" && request.form["DurationSeconds"] == "3600" && request.form["RoleSessionName"] == "deploy-1")
        #expect(request.form["Policy"] == #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#)
        let authorization = request.headers["Authorization"] ?? ""
        #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=\(base["AccessKeyId"]!)/"), "\(authorization)")
        #expect(authorization.contains("/eu-west-1/sts/aws4_request"))
        #expect(request.headers["X-Amz-Security-Token"] == base["Token"])
    }

    @Test func checkShowsEveryHop() async throws {
        let sts = try await FakeSTS()
        let mock = try await Mock()
        let result = try await launch(["--check", "--json", "--imds-endpoint", mock.url, "--assume-role", Self.role],
                                environment: ["AWS_ENDPOINT_URL_STS": sts.url])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let chain = (object["chain"] as? [[String: String]])?.map { $0["name"] ?? "" }
        #expect(chain == ["imds", "assume-role"], "\(result.stdout)")
        #expect(object["roleArn"] as? String == Self.role && object["accountId"] as? String == "111122223333")
    }

    @Test(arguments: [("AccessDenied:403:User is not authorized to perform sts:AssumeRole", "AccessDenied"),
                      ("ExpiredTokenException:400:Token expired", "ExpiredTokenException")])
    func anSTSRefusalIsOneLineNamingCallRoleAndCode(error: String, code: String) async throws {
        let sts = try await FakeSTS(error: error)
        let mock = try await Mock()
        let base = try mock.current()
        let result = try await launch(["--imds-endpoint", mock.url, "--assume-role", Self.role, "--", "true"],
                                environment: ["AWS_ENDPOINT_URL_STS": sts.url])
        #expect(result.status == 125)
        #expect(result.stderrLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("AssumeRole") && result.stderr.contains(Self.role) && result.stderr.contains(code), "\(result.stderr)")
        #expect(!result.stderr.contains(base["SecretAccessKey"]!) && !result.stderr.contains(base["Token"]!))
        #expect(sts.requests().count == 1, "a refusal was retried")
    }

    @Test func aProfileChainFromInstanceMetadataWithTheProfilesRegion() async throws {
        let sts = try await FakeSTS()
        let mock = try await Mock()
        let dir = TempDir()
        try """
        [profile deploy]
        role_arn = \(Self.role)
        credential_source = Ec2InstanceMetadata
        role_session_name = from-profile
        region = eu-west-1
        """.write(toFile: dir.path("config"), atomically: true, encoding: .utf8)
        let result = try await launch(["--profile", "deploy", "--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID $AWS_REGION $AWS_DEFAULT_REGION ${AWS_PROFILE:-none}"], environment: [
            "AWS_ENDPOINT_URL_STS": sts.url, "AWS_EC2_METADATA_SERVICE_ENDPOINT": mock.url, "AWS_CONFIG_FILE": dir.path("config"),
            "AWS_SHARED_CREDENTIALS_FILE": dir.path("none"),
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "ASIAFAKESTS000000001 eu-west-1 eu-west-1 none\n", "\(result.stdout)")
        #expect(sts.requests().first?.form["RoleSessionName"] == "from-profile")
        #expect(!mock.log().contains { $0.contains("placement/region") }, "IMDS asked for a region the profile gives")
    }

    @Test func aProfileTheFileLacksIsAnError() async throws {
        let dir = TempDir()
        try "[profile other]\nregion = us-east-2\n".write(toFile: dir.path("config"), atomically: true, encoding: .utf8)
        let result = try await launch(["--", "true"], environment: ["AWS_PROFILE": "missing", "AWS_CONFIG_FILE": dir.path("config"),
                                                             "AWS_SHARED_CREDENTIALS_FILE": dir.path("none")])
        #expect(result.status == 125)
        #expect(result.stderr.contains("missing") && result.stderr.contains(dir.path("config")), "\(result.stderr)")
    }

    // MARK: error shapes: retried, or one line naming call, role ARN and Code, exit 125

    @Test func throttlingIsRetriedAndTheChildGetsTheCredentials() async throws {
        let sts = try await FakeSTS(error: "Throttling:400:Rate exceeded", ["--error-count", "2"])
        let mock = try await Mock()
        let result = try await launch(["--imds-endpoint", mock.url, "--assume-role", Self.role, "--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID"],
                                environment: ["AWS_ENDPOINT_URL_STS": sts.url])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "ASIAFAKESTS000000003\n", "\(result.stdout)")
        #expect(sts.requests().map { $0.form["Action"] ?? "" } == Array(repeating: "AssumeRole", count: 3))
        #expect(result.stderr.isEmpty, "\(result.stderr)")
    }

    @Test(arguments: [("ServiceUnavailable:503:Service is busy", "ServiceUnavailable"), (":502:<html>Bad Gateway</html>", "HTTP 502")])
    func serverErrorsOnEveryAttemptEndInOneLine(error: String, shown: String) async throws {
        let sts = try await FakeSTS(error: error)
        let mock = try await Mock()
        let dir = TempDir()
        try Self.jwt.write(toFile: dir.path("token"), atomically: true, encoding: .utf8)
        let result = try await launch(["--", "true"], environment: [
            "AWS_ENDPOINT_URL_STS": sts.url, "AWS_EC2_METADATA_SERVICE_ENDPOINT": mock.url,
            "AWS_WEB_IDENTITY_TOKEN_FILE": dir.path("token"), "AWS_ROLE_ARN": Self.role,
        ])
        #expect(result.status == 125)
        #expect(result.stderrLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("AssumeRoleWithWebIdentity") && result.stderr.contains(Self.role) && result.stderr.contains(shown), "\(result.stderr)")
        #expect(!result.stderr.contains(Self.jwt) && !result.stderr.contains("eyJ"), "\(result.stderr)")
        #expect(sts.requests().count == 3, "5xx is retried, up to 3 attempts: \(sts.requests().count)")
        #expect(mock.log().isEmpty)
    }

    @Test(arguments: [("malformed", "not XML"), ("oversized", "over the limit")])
    func aBrokenAnswerIsOneLineWithoutItsSecrets(body: String, shown: String) async throws {
        let sts = try await FakeSTS(["--body", body])
        let mock = try await Mock()
        let base = try mock.current()
        let result = try await launch(["--imds-endpoint", mock.url, "--assume-role", Self.role, "--", "true"],
                                environment: ["AWS_ENDPOINT_URL_STS": sts.url])
        #expect(result.status == 125)
        #expect(result.stderrLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("AssumeRole") && result.stderr.contains(Self.role) && result.stderr.contains(shown), "\(result.stderr)")
        #expect(!result.stderr.contains("fakeSts") && !result.stderr.contains("xxxx"), "the answer was echoed: \(result.stderr)")
        #expect(!result.stderr.contains(base["SecretAccessKey"]!) && !result.stderr.contains(base["Token"]!))
    }

    // MARK: STS over TLS with a CA made here

    static let names = "DNS:localhost,IP:127.0.0.1"

    @Test func aChainOverVerifiedTLSWithAWSCABundle() async throws {
        let pki = try await TestPKI()
        let sts = try await FakeSTS(tls: try pki.issue("localhost", names: Self.names))
        let mock = try await Mock()
        let base = try mock.current()
        let result = try await launch(["--imds-endpoint", mock.url, "--assume-role", Self.role, "--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID"],
                                environment: ["AWS_ENDPOINT_URL_STS": sts.url, "AWS_CA_BUNDLE": pki.ca])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "ASIAFAKESTS000000001\n")
        #expect(await sts.handshakes() == ["handshake ok"])
        let request = try #require(sts.requests().first)
        #expect(request.headers["Host"] == "localhost:\(sts.port)")
        #expect(request.headers["Authorization"]?.hasPrefix("AWS4-HMAC-SHA256 Credential=\(base["AccessKeyId"]!)/") == true)
    }

    @Test(arguments: [("untrusted", "self-signed certificate"), ("wrong-name", "hostname mismatch")])
    func anUnverifiedSTSNeverGetsTheRequest(kind: String, reason: String) async throws {
        let pki = try await TestPKI()
        let pair = kind == "untrusted" ? try await pki.issue("stranger", names: Self.names, selfSigned: true)
                                       : try await pki.issue("other", names: "DNS:other.example,IP:10.9.9.9")
        let sts = try await FakeSTS(tls: pair)
        let mock = try await Mock()
        let dir = TempDir()
        try Self.jwt.write(toFile: dir.path("token"), atomically: true, encoding: .utf8)
        let result = try await launch(["--", "true"], environment: [
            "AWS_ENDPOINT_URL_STS": sts.url, "AWS_CA_BUNDLE": pki.ca, "AWS_EC2_METADATA_SERVICE_ENDPOINT": mock.url,
            "AWS_WEB_IDENTITY_TOKEN_FILE": dir.path("token"), "AWS_ROLE_ARN": Self.role,
        ])
        #expect(result.status == 125)
        #expect(result.stderrLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("AssumeRoleWithWebIdentity") && result.stderr.contains(Self.role)
                && result.stderr.contains("TLS handshake with localhost:\(sts.port) failed: certificate verify failed (\(reason))"), "\(result.stderr)")
        #expect(!result.stderr.contains(Self.jwt))
        let handshakes = await sts.handshakes()
        #expect(handshakes.count == 1 && handshakes[0].hasPrefix("handshake failed"), "a failed verification was retried or passed: \(handshakes)")
        #expect(sts.requests().isEmpty && sts.gets().isEmpty, "the server got a request")
        #expect(mock.log().isEmpty)
    }

    @Test func aStalledHandshakeEndsWithinTheDeadlineAndSendsNoRequest() async throws {
        let pki = try await TestPKI()
        let listener = try Socket.listen(host: "127.0.0.1", port: 0)  // never accepted: the kernel completes TCP alone
        let dir = TempDir()
        try Self.jwt.write(toFile: dir.path("token"), atomically: true, encoding: .utf8)
        let result = try await launch(["--timeout", "300ms", "--", "true"], environment: [
            "AWS_ENDPOINT_URL_STS": "https://127.0.0.1:\(listener.localPort())/", "AWS_CA_BUNDLE": pki.ca,
            "AWS_WEB_IDENTITY_TOKEN_FILE": dir.path("token"), "AWS_ROLE_ARN": Self.role,
        ], timeout: 40)
        #expect(result.status == 125)
        #expect(result.stderrLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("AssumeRoleWithWebIdentity") && result.stderr.contains(Self.role)
                && result.stderr.contains("did not finish before the deadline"), "\(result.stderr)")
        var connections = 0
        while let peer = try listener.accept() {
            connections += 1
            let received = try peer.receive(max: 64 * 1024, wait: Wait(millis: 2000, clock: SystemClock()))
            #expect(received.first == 0x16, "not a TLS handshake record")
            #expect(!String(decoding: received, as: UTF8.self).contains("POST") && !String(decoding: received, as: UTF8.self).contains(Self.jwt))
        }
        #expect(connections >= 1)
    }

    // MARK: GitHub Actions

    @Test func theGitHubActionsJobTokenIsExchangedForTheRole() async throws {
        let requestToken = "ghs-request-token-5f0c2e9a"
        let sts = try await FakeSTS(["--github-request-token", requestToken, "--github-jwt", Self.jwt])
        let mock = try await Mock()
        let result = try await launch(["-v", "--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID"], environment: [
            "AWS_ENDPOINT_URL_STS": sts.url, "AWS_EC2_METADATA_SERVICE_ENDPOINT": mock.url, "AWS_ROLE_ARN": Self.role,
            "ACTIONS_ID_TOKEN_REQUEST_URL": "http://127.0.0.1:\(sts.port)/_apis/idtoken?api-version=2.0",
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN": requestToken,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "ASIAFAKESTS000000001\n", "\(result.stdout)")
        let get = try #require(sts.gets().first)
        #expect(get.path == "/_apis/idtoken?api-version=2.0&audience=sts.amazonaws.com")
        #expect(get.headers["Authorization"] == "Bearer \(requestToken)")
        let request = try #require(sts.requests().first)
        #expect(request.form["Action"] == "AssumeRoleWithWebIdentity" && request.form["RoleArn"] == Self.role)
        #expect(request.form["WebIdentityToken"] == Self.jwt)
        #expect(request.headers["Authorization"] == nil)
        #expect(!result.stderr.contains(requestToken) && !result.stderr.contains(Self.jwt), "\(result.stderr)")
        #expect(mock.log().isEmpty)
    }

    // MARK: rotation of a chain

    @Test func aRefreshRedoesTheChainAndReusesTheBaseCredentials() async throws {
        let sts = try await FakeSTS(["--lifetime", "60"])
        let mock = try await Mock()
        let base = try mock.current()
        let dir = TempDir()
        let script = "echo \"$AWS_ACCESS_KEY_ID\" >> \(dir.path("starts")); trap 'exit 42' TERM; while :; do sleep 0.05; done"
        let run = try Running(Paths.launcher, ["-q", "--on-rotate", "restart", "--refresh-before", "58s", "--imds-endpoint", mock.url,
                                               "--assume-role", Self.role, "--", "sh", "-c", script],
                              environment: baseEnvironment().merging(["AWS_ENDPOINT_URL_STS": sts.url]) { $1 })
        // One refresh (after the 5 s floor) shows it: the chain is redone on the same base credentials.
        _ = await eventually(timeout: 40) { lines(dir.path("starts")).count >= 2 || !run.isRunning }
        kill(run.pid, SIGTERM)
        let result = await run.wait()
        #expect(result.status == 42, "\(result.stderr)")
        let starts = lines(dir.path("starts"))
        #expect(starts.count >= 2 && starts.prefix(2) == ["ASIAFAKESTS000000001", "ASIAFAKESTS000000002"], "\(starts)")
        let calls = sts.requests()
        #expect(calls.count >= 2 && calls.allSatisfy { $0.form["Action"] == "AssumeRole" })
        #expect(calls.allSatisfy { $0.headers["Authorization"]?.contains("Credential=\(base["AccessKeyId"]!)/") == true },
                "every hop signed with the one base key")
        // The role's credentials (not the listing of roles, `…/security-credentials/ token=…`).
        let fetches = mock.log().filter { $0.contains("/iam/security-credentials") && !$0.contains("security-credentials/ ") }
        #expect(fetches.count == 1, "the base credentials were fetched again while valid: \(mock.log())")
    }
}

/// GitHub's token URL over plain http to a host that is not loopback, inside a network namespace whose
/// loopback carries that address (so nothing leaves the machine even when the check is broken).
@Suite(.serialized, .timeLimit(.minutes(2)))
struct GitHubTokenNamespaceTests {
    @Test(.enabled(if: getuid() == 0, "unshare --net needs root"))
    func plainHTTPToAnotherHostIsRefusedBeforeConnecting() async throws {
        let script = """
        dir=$(mktemp -d); trap 'kill $listener 2>/dev/null; rm -rf "$dir"' EXIT
        python3 -c '
        import socket, sys
        s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("192.0.2.1", 8080)); s.listen(8)
        open(sys.argv[1] + "/ready", "w").close()
        while True:
            c, _ = s.accept()
            with open(sys.argv[1] + "/got", "ab") as f: f.write(c.recv(65536) or b"(connection)")
            c.close()
        ' "$dir" & listener=$!
        i=0; while [ ! -e "$dir/ready" ] && [ $i -lt 200 ]; do sleep 0.02; i=$((i+1)); done
        AWS_EC2_METADATA_DISABLED=true AWS_ENDPOINT_URL_STS=http://127.0.0.1:9/ AWS_ROLE_ARN=arn:aws:iam::111122223333:role/deploy \\
          ACTIONS_ID_TOKEN_REQUEST_URL='http://192.0.2.1:8080/_apis/idtoken?api-version=2.0' \\
          ACTIONS_ID_TOKEN_REQUEST_TOKEN=ghs-request-token-in-clear-7a1 "$WRC" -- true 2>"$dir/err"
        echo "status=$?"
        echo "stderr=$(cat "$dir/err")"
        echo "received=$(cat "$dir/got" 2>/dev/null | head -c 200 | tr -d '\\r\\n')"
        """
        let result = try await inNetworkNamespace(script, addresses: ["192.0.2.1"])
        let out = result.stdout
        #expect(out.contains("status=125\n"), "\(out) \(result.stderr)")
        #expect(out.contains("stderr=with-role-creds: ACTIONS_ID_TOKEN_REQUEST_URL http://192.0.2.1:8080 is plain http to a host that is not loopback"), "\(out)")
        #expect(out.contains("received=\n") || out.hasSuffix("received="), "the token service got: \(out)")
        #expect(!out.contains("ghs-request-token-in-clear-7a1"), "\(out)")
    }
}
