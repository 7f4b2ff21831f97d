import Foundation
import CSystem
import Glibc
import Testing
@testable import RoleCreds

/// Where with-role-creds behaves as the AWS SDKs do, seen by a user against the mock.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct SDKBehaviourTests {
    // MARK: static stability

    @Test func expiredIMDSCredentialsAreUsedWithOneWarning() async throws {
        let mock = try await Mock(["--fault", "expired"])
        let key = try mock.current()["AccessKeyId"]!
        let result = try await launch(["--imds-endpoint", mock.url, "--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == key + "\n")
        #expect(result.stderrLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("expired") && result.stderr.contains("5 to 10 minutes"), "\(result.stderr)")
    }

    @Test func expiredContainerCredentialsStayAnError() async throws {
        let mock = try await Mock(["--fault", "expired"])
        let result = try await launch(["--", "true"], environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": mock.url + "/v1/credentials"])
        #expect(result.status == 125)
        #expect(result.stderr.contains("expired"), "\(result.stderr)")
    }

    // MARK: the role and the extended path across refreshes (the provider against the mock)

    private func provider(_ mock: Mock) -> IMDSProvider {
        IMDSProvider(config: IMDSConfig(endpoint: try! HTTPURL.parse(mock.url)), log: Log(level: .quiet))
    }

    @Test func aReplacedInstanceProfileIsDiscoveredAgain() async throws {
        let mock = try await Mock(["--role", "first-role"])
        let imds = provider(mock)
        defer { imds.close() }
        _ = try imds.fetch(Wait(millis: 5000, clock: SystemClock()))
        #expect(imds.roleName == "first-role")
        try mock.control("PUT", "/mock/role", body: "second-role")
        let second = try imds.fetch(Wait(millis: 5000, clock: SystemClock()))
        #expect(imds.roleName == "second-role")
        #expect(second.accessKeyId == (try mock.current()["AccessKeyId"]!))
    }

    @Test func aGivenRoleIsNotReplaced() async throws {
        let mock = try await Mock(["--role", "first-role"])
        let imds = IMDSProvider(config: IMDSConfig(endpoint: try HTTPURL.parse(mock.url), role: "first-role"), log: Log(level: .quiet))
        defer { imds.close() }
        try mock.control("PUT", "/mock/role", body: "second-role")
        #expect(throws: CredentialError.self) { try imds.fetch(Wait(millis: 5000, clock: SystemClock())) }
        #expect(!mock.log().contains { $0.contains("GET /latest/meta-data/iam/security-credentials/ ") }, "roles listed for a given role")
    }

    @Test func oneFailureOfTheExtendedPathDoesNotLoseTheAccountForGood() async throws {
        let mock = try await Mock(["--fault", "extended-500:1"])
        let imds = provider(mock)
        defer { imds.close() }
        let first = try imds.fetch(Wait(millis: 5000, clock: SystemClock()))
        #expect(first.accountId == nil)
        let second = try imds.fetch(Wait(millis: 5000, clock: SystemClock()))
        #expect(second.accountId != nil, "the extended path was given up after one 500")
    }

    @Test func aMissingExtendedPathIsNotAskedAgain() async throws {
        let mock = try await Mock(["--no-extended"])
        let imds = provider(mock)
        defer { imds.close() }
        _ = try imds.fetch(Wait(millis: 5000, clock: SystemClock()))
        _ = try imds.fetch(Wait(millis: 5000, clock: SystemClock()))
        #expect(mock.log().filter { $0.contains("security-credentials-extended") }.count == 1, "\(mock.log())")
    }

    // MARK: container hosts are addresses, token files end in one newline

    /// `[0:0:0:0:0:0:0:1]` is `::1` written out, `[::ffff:127.0.0.1]` is loopback mapped into IPv6: both are
    /// loopback and are used; a host that only looks numeric is refused before anything is sent.
    @Test(arguments: ["[0:0:0:0:0:0:0:1]", "[::1]", "[0000:0000:0000:0000:0000:0000:0000:0001]"])
    func containerHostSpellingsOfLoopbackAreAllowed(host: String) async throws {
        let mock = try await Mock(["--listen", "[::1]:0", "--container-token", "t"])
        let result = try await launch(["--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID"], environment: [
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://\(host):\(mock.port)/v1/credentials",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": "t",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == (try mock.current()["AccessKeyId"]!) + "\n")
        #expect(mock.log().count == 1, "\(mock.log())")
    }

    @Test func containerIPv4MappedLoopbackIsAllowed() async throws {
        let mock = try await Mock(["--listen", "127.0.0.1:0", "--container-token", "t"])
        let result = try await launch(["--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID"], environment: [
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://[::ffff:127.0.0.1]:\(mock.port)/v1/credentials",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": "t",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == (try mock.current()["AccessKeyId"]!) + "\n")
    }

    @Test(arguments: ["127.000.000.001", "0x7f000001", "2130706433", "127.1", "127.0.0.1.nip.io", "[::ffff:10.0.0.1]", "user@127.0.0.1"])
    func containerHostsThatOnlyLookLikeLoopbackAreRefused(host: String) async throws {
        let mock = try await Mock(["--container-token", "t"])
        let result = try await launch(["--", "true"], environment: [
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://\(host):\(mock.port)/v1/credentials",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": "t",
        ])
        #expect(result.status == 125)
        #expect(result.stderrLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("AWS_CONTAINER_CREDENTIALS_FULL_URI"), "\(result.stderr)")
        #expect(!result.stderr.contains("t\n") && mock.log().isEmpty, "\(mock.log())")
    }

    /// `localhost` is allowed only for what it resolves to: in a private mount and network namespace whose
    /// /etc/hosts maps it to 10.9.9.9 (a mock listens there), IMDS reaches the mock by that name, and the
    /// container source refuses to send the token there.
    @Test func containerLocalhostMustResolveToLoopback() async throws {
        let env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "MOCK": Paths.mock,
                   "WRC": Paths.launcher, "LC_ALL": "C", "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:9/"]
        let script = "set -e; ip link set lo up; ip addr add 10.9.9.9/32 dev lo\n" + startMock("10.9.9.9:0", "--container-token t") + """
            echo '10.9.9.9 localhost' > "$dir/hosts"; mount --bind "$dir/hosts" /etc/hosts
            url=$(cat "$dir/url"); port=${url##*:}
            set +e
            "$WRC" --source imds --imds-endpoint "http://localhost:$port" -- sh -c 'echo "imds: $AWS_ACCESS_KEY_ID"'
            echo "imds-status: $?"
            AWS_CONTAINER_CREDENTIALS_FULL_URI="http://localhost:$port/creds" AWS_CONTAINER_AUTHORIZATION_TOKEN=t \\
                "$WRC" -- true
            echo "container-status: $?"
            echo "container-requests: $(grep -c auth= "$dir/log")"
            """
        let result = try await Running("/usr/bin/unshare", ["--mount", "--net", "sh", "-c", script], environment: env).wait(timeout: 60)
        #expect(result.stdout.contains("imds: ASIAMOCK"), "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("imds-status: 0"))
        #expect(result.stdout.contains("container-status: 125"), "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("container-requests: 0"), "\(result.stdout)")
        #expect(result.stderr.contains("10.9.9.9") && result.stderrLines.count == 1, "\(result.stderr)")
    }

    /// A token file written on Windows or by `echo` ends in CRLF or LF: exactly one such ending is dropped.
    @Test(arguments: [("crlf-token\r\n", "crlf-token"), ("lf-token\n", "lf-token"), ("bare-token", "bare-token")])
    func tokenFileLosesOneTrailingNewline(content: String, sent: String) async throws {
        let dir = TempDir()
        try content.write(toFile: dir.path("token"), atomically: true, encoding: .utf8)
        let mock = try await Mock(["--container-token", sent])
        let result = try await launch(["--", "true"], environment: [
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": mock.url + "/v1/credentials",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": dir.path("token"),
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(mock.log().first?.contains("auth=\(sent) ") == true, "\(mock.log())")
    }

    /// Anything more than one line ending is refused, consistently, before any request: a second newline,
    /// a CR alone, a CR in the middle, trailing blank lines.
    @Test(arguments: ["two-newlines\n\n", "cr-only\r", "mid\rdle\n", "crlf-twice\r\n\r\n", "lf-then-cr\n\r"])
    func tokenFileWithMoreThanOneLineEndingIsRefused(content: String) async throws {
        let dir = TempDir()
        try content.write(toFile: dir.path("token"), atomically: true, encoding: .utf8)
        let mock = try await Mock(["--container-token", "x"])
        let result = try await launch(["--", "true"], environment: [
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": mock.url + "/v1/credentials",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": dir.path("token"),
        ])
        #expect(result.status == 125)
        #expect(result.stderrLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("line break or control character"), "\(result.stderr)")
        #expect(mock.log().isEmpty, "\(mock.log())")
    }

    // MARK: flags beat the environment

    @Test func explicitIMDSBeatsMetadataDisabled() async throws {
        let mock = try await Mock()
        for flags in [["--imds-endpoint", mock.url], ["--source", "imds"]] {
            let result = try await launch(flags + ["--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID"], environment: [
                "AWS_EC2_METADATA_DISABLED": "true", "AWS_EC2_METADATA_SERVICE_ENDPOINT": mock.url,
            ])
            #expect(result.status == 0, "\(flags): \(result.stderr)")
            #expect(result.stdout.hasPrefix("ASIAMOCK"), "\(flags)")
        }
    }

    // MARK: --check

    @Test func checkJSONHasEveryFieldAndNoSecret() async throws {
        let mock = try await Mock()
        let current = try mock.current()
        let result = try await launch(["--check", "--json", "--imds-endpoint", mock.url])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["source"] as? String == "imds")
        #expect(object["role"] as? String == "mock-role")
        #expect(object["accountId"] as? String == current["AccountId"] ?? "123456789012")
        #expect(object["accessKeyId"] as? String == Credentials.mask(current["AccessKeyId"]!))
        // The mock's expiration follows its clock: between what it said before the run and after.
        let expiration = try #require(object["expiration"] as? String)
        let after = try mock.current()
        #expect(current["Expiration"]! <= expiration && expiration <= after["Expiration"]!, "\(expiration)")
        #expect(object["imdsV1"] as? String == "disabled")
        #expect((object["chain"] as? [[String: String]])?.first?["name"] == "imds")
        for key in ["roleArn", "region"] { #expect(object.keys.contains(key), "\(key) missing") }
        #expect(!result.stdout.contains(current["SecretAccessKey"]!) && !result.stdout.contains(current["Token"]!))
        #expect(!mock.log().contains { $0.contains("GET /latest/meta-data/ ") && $0.contains("token=yes") }, "posture asked with a token")
    }

    @Test func checkWarnsWhenIMDSv1StillAnswers() async throws {
        let mock = try await Mock(["--mode", "both"])
        let text = try await launch(["--check", "--imds-endpoint", mock.url])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("imdsv1: enabled") && text.stdout.contains("--http-tokens required"), "\(text.stdout)")
        let json = try await launch(["--check", "--json", "--imds-endpoint", mock.url])
        #expect(json.stdout.contains("\"imdsV1\":\"enabled\""), "\(json.stdout)")
    }

    @Test func theTokenlessPostureRequestIsMadeByCheckOnly() async throws {
        let mock = try await Mock(["--mode", "both"])
        _ = try await launch(["--imds-endpoint", mock.url, "--", "true"])
        #expect(!mock.log().contains { $0.contains("GET /latest/meta-data/ ") }, "\(mock.log())")
    }

    // MARK: an endpoint that is something else

    @Test(arguments: [
        ("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", "does not look like the instance metadata service"),
        ("HTTP/1.1 501 Not Implemented\r\nContent-Length: 0\r\n\r\n", "does not look like the instance metadata service"),
    ])
    func aForeignServerIsNotToldToRaiseItsHopLimit(banner: String, message: String) async throws {
        let server = try BannerServer(banner)
        let result = try await launch(["--imds-endpoint", "http://127.0.0.1:\(server.port)", "--", "true"])
        #expect(result.status == 125)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!result.stderr.contains("hop limit"), "\(result.stderr)")
        #expect(result.stderrLines.count == 1)
    }

    @Test func aSilentEndpointStillGetsTheHopLimitAdvice() async throws {
        let mock = try await Mock(["--fault", "token-stall"])
        let result = try await launch(["--timeout", "300ms", "--imds-endpoint", mock.url, "--", "true"])
        #expect(result.status == 125)
        #expect(result.stderr.contains("hop limit"), "\(result.stderr)")
    }
}

/// A loopback server that sends `banner` to whoever connects, reads what comes and never closes
/// first: an SSH daemon or another web server on the port IMDS was expected on.
final class BannerServer: @unchecked Sendable {
    let listener: Socket
    let port: UInt16
    private var thread: Thread?

    init(_ banner: String) throws {
        listener = try Socket.listen(host: "127.0.0.1", port: 0)
        port = listener.localPort()
        let fd = listener.fd
        let bytes = Array(banner.utf8)
        let thread = Thread {
            var held: [Int32] = []
            while true {
                var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&pfd, 1, 30_000) > 0 else { break }
                let client = accept(fd, nil, nil)
                if client < 0 { break }
                _ = bytes.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                held.append(client)
            }
            for c in held { close(c) }
        }
        self.thread = thread
        thread.start()
    }

    deinit { listener.close() }
}
