import Foundation
import Testing
@testable import RoleCreds

/// Container credential endpoints: ECS tasks, CodeBuild, EKS Pod Identity.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct ContainerTests {
    @Test func fullURIWithToken() async throws {
        let mock = try await Mock(["--container-token", "task-token-1"])
        let result = try await launch(["--", "env"], environment: [
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": mock.url + "/v1/credentials",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": "task-token-1",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let env = parseEnv(result.stdout)
        let current = try mock.current()
        #expect(env["AWS_ACCESS_KEY_ID"] == [current["AccessKeyId"]!])
        #expect(env["AWS_SECRET_ACCESS_KEY"] == [current["SecretAccessKey"]!])
        #expect(env["AWS_SESSION_TOKEN"] == [current["Token"]!])
        #expect(env["AWS_ACCOUNT_ID"] == ["123456789012"])
        #expect(!env.keys.contains { $0.hasPrefix("AWS_CONTAINER_") }, "container variables leaked to the child")
        #expect(env["AWS_REGION"] == nil)
        let log = mock.log()
        #expect(log.count == 1)
        #expect(log.first?.contains("GET /v1/credentials") == true && log.first?.contains("auth=task-token-1") == true)
    }

    @Test func fullURIWithTokenFile() async throws {
        let dir = TempDir()
        try "file-token-1\n".write(toFile: dir.path("token"), atomically: true, encoding: .utf8)
        let mock = try await Mock(["--container-token-file", dir.path("token")])
        let result = try await launch(["--", "env"], environment: [
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": mock.url + "/v1/credentials",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": dir.path("token"),
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": "ignored-when-a-file-is-given",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(parseEnv(result.stdout)["AWS_ACCESS_KEY_ID"] == [try mock.current()["AccessKeyId"]!])
        #expect(mock.log().first?.contains("auth=file-token-1 ") == true, "\(mock.log())")
    }

    @Test func rotatedTokenFileIsReadAgainOnEveryFetch() async throws {
        let dir = TempDir()
        try "first-token\n".write(toFile: dir.path("token"), atomically: true, encoding: .utf8)
        let mock = try await Mock(["--container-token-file", dir.path("token")])
        let environment = EnvironmentLookup([
            "AWS_CONTAINER_CREDENTIALS_FULL_URI=\(mock.url)/v1/credentials",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=\(dir.path("token"))",
        ])
        guard case .container(let config) = try Settings.resolve(Options(), environment: environment).source.value else {
            Issue.record("container source not chosen"); return
        }
        let source = ContainerProvider(config: config)
        let clock = SystemClock()
        _ = try source.fetch(Wait(millis: 5000, clock: clock))
        try "second-token\n".write(toFile: dir.path("token"), atomically: true, encoding: .utf8)
        let second = try source.fetch(Wait(millis: 5000, clock: clock))
        source.close()
        #expect(second.accessKeyId == (try mock.current()["AccessKeyId"]!))
        let auth = mock.log().map { $0.split(separator: " ").first { $0.hasPrefix("auth=") } ?? "" }
        #expect(auth == ["auth=first-token", "auth=second-token"], "\(mock.log())")
    }

    @Test func wrongTokenExits125WithTheEndpointsStatus() async throws {
        let mock = try await Mock(["--container-token", "right"])
        let result = try await launch(["--", "true"], environment: [
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": mock.url + "/v1/credentials",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": "wrong",
        ])
        #expect(result.status == 125)
        #expect(result.stderrLines.count == 1)
        #expect(result.stderr.contains("403"), "\(result.stderr)")
        #expect(result.stderr.contains("AccessDeniedException: Authorization token is not valid"), "\(result.stderr)")
        #expect(!result.stderr.contains("{"))
        #expect(mock.log().count == 1, "a 403 was retried")
    }

    @Test(arguments: ["http://example.com/creds", "http://10.0.0.1/creds", "http://169.254.169.254/creds"])
    func hostsOutsideTheAllowListAreRefusedBeforeAnyConnection(uri: String) async throws {
        let result = try await launch(["-v", "--", "true"], environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": uri])
        #expect(result.status == 125)
        #expect(result.stderrLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("is not allowed"), "\(result.stderr)")
    }

    // An https full URI (spec §2): a TLS endpoint on loopback (fake_sts.py's container path) with a
    // certificate from a CA made here, trusted through AWS_CA_BUNDLE as for STS.

    static let containerToken = "eks-pod-identity-token-3c9e71"

    @Test func httpsFullURIVerifiedWithAWSCABundle() async throws {
        let pki = try await TestPKI()
        let endpoint = try await FakeSTS(["--container-token", Self.containerToken], tls: try pki.issue("localhost", names: "DNS:localhost,IP:127.0.0.1"))
        let result = try await launch(["--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID $AWS_ACCOUNT_ID"], environment: [
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": endpoint.url + "container-creds",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": Self.containerToken, "AWS_CA_BUNDLE": pki.ca,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "ASIAFAKECONTAINER001 444455556666\n", "\(result.stdout)")
        #expect(await endpoint.handshakes() == ["handshake ok"])
        let get = try #require(endpoint.gets().first)
        #expect(get.path == "/container-creds" && get.headers["Authorization"] == Self.containerToken)
        #expect(get.headers["Host"] == "localhost:\(endpoint.port)")
    }

    @Test(arguments: [("untrusted", "self-signed certificate"), ("wrong-name", "hostname mismatch")])
    func anUnverifiedHTTPSEndpointNeverGetsTheToken(kind: String, reason: String) async throws {
        let pki = try await TestPKI()
        let pair = kind == "untrusted" ? try await pki.issue("stranger", names: "DNS:localhost,IP:127.0.0.1", selfSigned: true)
                                       : try await pki.issue("other", names: "DNS:other.example")
        let endpoint = try await FakeSTS(["--container-token", Self.containerToken], tls: pair)
        let result = try await launch(["--", "true"], environment: [
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": endpoint.url + "container-creds",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": Self.containerToken, "AWS_CA_BUNDLE": pki.ca,
        ])
        #expect(result.status == 125)
        #expect(result.stderrLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("container credential endpoint")
                && result.stderr.contains("TLS handshake with localhost:\(endpoint.port) failed: certificate verify failed (\(reason))"), "\(result.stderr)")
        #expect(!result.stderr.contains(Self.containerToken))
        let handshakes = await endpoint.handshakes()
        #expect(handshakes.count == 1 && handshakes[0].hasPrefix("handshake failed"), "\(handshakes)")
        #expect(endpoint.gets().isEmpty, "the endpoint got the request (and the token)")
    }

    @Test func tokenWithALineBreakIsRefused() async throws {
        let mock = try await Mock(["--container-token", "a"])
        let result = try await launch(["--", "true"], environment: [
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": mock.url + "/v1/credentials",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": "a\r\nX-Injected: yes",
        ])
        #expect(result.status == 125)
        #expect(result.stderr.contains("line break"), "\(result.stderr)")
        #expect(mock.log().isEmpty)

        let dir = TempDir()
        try "a\nX-Injected: yes\n".write(toFile: dir.path("token"), atomically: true, encoding: .utf8)
        let fromFile = try await launch(["--", "true"], environment: [
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": mock.url + "/v1/credentials",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": dir.path("token"),
        ])
        #expect(fromFile.status == 125)
        #expect(fromFile.stderr.contains("line break"), "\(fromFile.stderr)")
        #expect(mock.log().isEmpty)
    }

    @Test func autoPrefersTheContainerAndSourceImdsOverridesIt() async throws {
        let mock = try await Mock(["--container-token", "t"])
        let environment = [
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": mock.url + "/v1/credentials",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": "t",
            "AWS_EC2_METADATA_SERVICE_ENDPOINT": mock.url,
        ]
        let auto = try await launch(["--", "true"], environment: environment)
        #expect(auto.status == 0, "\(auto.stderr)")
        #expect(mock.log().count == 1 && mock.log()[0].contains("/v1/credentials"), "\(mock.log())")
        let imds = try await launch(["--source", "imds", "--", "true"], environment: environment)
        #expect(imds.status == 0, "\(imds.stderr)")
        #expect(mock.log().dropFirst().allSatisfy { $0.contains("/latest/") } && mock.log().count == 5, "\(mock.log())")
    }

    @Test func checkNamesTheSourceRoleArnAndAccount() async throws {
        let mock = try await Mock(["--container-token", "t"])
        let result = try await launch(["--check"], environment: [
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": mock.url + "/v1/credentials", "AWS_CONTAINER_AUTHORIZATION_TOKEN": "t",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("source: container"))
        #expect(result.stdout.contains("role arn: arn:aws:iam::123456789012:role/mock-role"))
        #expect(result.stdout.contains("account: 123456789012"))
        #expect(!result.stdout.contains(try mock.current()["SecretAccessKey"]!))
    }

    @Test func serverErrorsAreRetried() async throws {
        let mock = try await Mock(["--fault", "500:2"])
        let result = try await launch(["--", "true"], environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": mock.url + "/v1/credentials"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(mock.log().count == 3)
    }

    @Test func aRefreshSendsTheRotatedTokenFile() async throws {
        let dir = TempDir()
        try "kubelet-token-1\n".write(toFile: dir.path("token"), atomically: true, encoding: .utf8)
        let mock = try await Mock(["--container-token-file", dir.path("token"), "--rotate", "2", "--lifetime", "60"])
        let events = dir.path("events")
        let run = try Running(Paths.launcher, ["-q", "--serve", "--on-rotate", "signal:HUP", "--refresh-before", "58s", "--",
                                               "sh", "-c", "trap 'echo hup >> \(events)' HUP; trap 'exit 0' TERM; touch \(events); while :; do sleep 0.05; done"],
                              environment: baseEnvironment().merging([
                                "AWS_CONTAINER_CREDENTIALS_FULL_URI": mock.url + "/v1/credentials",
                                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": dir.path("token")]) { $1 })
        #expect(await run.waitFor(file: events))
        // The kubelet rotates the token; the mock now accepts only the new one.
        try "kubelet-token-2\n".write(toFile: dir.path("token"), atomically: true, encoding: .utf8)
        _ = await eventually(timeout: 20) { !lines(events).isEmpty }
        kill(run.pid, SIGTERM)
        let result = await run.wait()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(lines(events).count >= 1, "no rotation after the token file changed: \(mock.log())")
        let auth = mock.log().compactMap { $0.split(separator: " ").first { $0.hasPrefix("auth=") } }
        #expect(auth.first == "auth=kubelet-token-1" && auth.dropFirst().allSatisfy { $0 == "auth=kubelet-token-2" } && auth.count >= 2,
                "\(mock.log())")
    }

    // MARK: the real default hosts, inside a private network namespace

    @Test func relativeURIUses169_254_170_2() async throws {
        let result = try await inNetworkNamespace(startMock("169.254.170.2:80", "--container-path /v2/credentials/task-id") + """
            AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/credentials/task-id \\
            AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:9/ignored \\
            "$WRC" -- sh -c 'echo "key=$AWS_ACCESS_KEY_ID relative=${AWS_CONTAINER_CREDENTIALS_RELATIVE_URI:-unset}"'
            """, addresses: ["169.254.170.2"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("key=ASIAMOCK000000000001 relative=unset"), "\(result.stdout)")
    }

    @Test func eksPodIdentityShape() async throws {
        let result = try await inNetworkNamespace(startMock("169.254.170.23:80", "--container-token-file \"$dir/token\"") + """
            printf 'eks-pod-token\\n' > "$dir/token"
            AWS_CONTAINER_CREDENTIALS_FULL_URI=http://169.254.170.23/v1/credentials \\
            AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$dir/token" \\
            "$WRC" -- sh -c 'echo "key=$AWS_ACCESS_KEY_ID account=$AWS_ACCOUNT_ID"'
            grep -c 'auth=eks-pod-token' "$dir/log"
            """, addresses: ["169.254.170.23"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("key=ASIAMOCK000000000001 account=123456789012"), "\(result.stdout)")
        #expect(result.stdout.hasSuffix("1\n"), "\(result.stdout)")
    }
}
