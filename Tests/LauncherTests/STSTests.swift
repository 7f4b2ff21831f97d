import Foundation
import Glibc
import Testing
@testable import RoleCreds

/// A fake STS on loopback (Fixtures/fake_sts.py): every request it got, as JSON lines.
final class FakeSTS {
    let process = Process()
    let dir = TempDir()
    private(set) var port: UInt16 = 0
    var url: String { "http://127.0.0.1:\(port)/" }

    init(error: String = "") throws {
        let script = Paths.root.appendingPathComponent("Tests/LauncherTests/Fixtures/fake_sts.py").path
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "--port-file", dir.path("port"), "--log", dir.path("log")] + (error.isEmpty ? [] : ["--error", error])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline && process.isRunning {
            if let text = try? String(contentsOfFile: dir.path("port"), encoding: .utf8), let port = UInt16(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                self.port = port
                return
            }
            usleep(5000)
        }
        throw HarnessError("fake STS did not start")
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }

    /// The requests so far: form fields and headers.
    func requests() -> [(form: [String: String], headers: [String: String])] {
        let text = (try? String(contentsOfFile: dir.path("log"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return (object["form"] as? [String: String] ?? [:], object["headers"] as? [String: String] ?? [:])
        }
    }
}

@Suite(.serialized, .timeLimit(.minutes(2)))
struct STSTests {
    static let role = "arn:aws:iam::111122223333:role/deploy"
    static let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6ZGVmYXVsdDpteS1zYSJ9.c2lnbmF0dXJl"

    @Test func webIdentityFromATokenFileGivesTheRolesKeys() throws {
        let sts = try FakeSTS()
        let mock = try Mock()
        let dir = TempDir()
        try (Self.jwt + "\n").write(toFile: dir.path("token"), atomically: true, encoding: .utf8)
        let result = try launch(["-v", "--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID $AWS_ACCOUNT_ID; env | grep -c '^AWS_WEB_IDENTITY\\|^AWS_ROLE_ARN' || true"], environment: [
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

    @Test func aTokenWithoutARoleIsAnErrorNotIMDS() throws {
        let mock = try Mock()
        let dir = TempDir()
        try Self.jwt.write(toFile: dir.path("token"), atomically: true, encoding: .utf8)
        let result = try launch(["--", "true"], environment: [
            "AWS_EC2_METADATA_SERVICE_ENDPOINT": mock.url, "AWS_WEB_IDENTITY_TOKEN_FILE": dir.path("token"),
        ])
        #expect(result.status == 125)
        #expect(result.stderr.contains("no role ARN"), "\(result.stderr)")
        #expect(mock.log().isEmpty)
    }

    @Test func aMissingTokenFileIsAnErrorNotIMDS() throws {
        let sts = try FakeSTS()
        let mock = try Mock()
        let result = try launch(["--", "true"], environment: [
            "AWS_ENDPOINT_URL_STS": sts.url, "AWS_EC2_METADATA_SERVICE_ENDPOINT": mock.url,
            "AWS_WEB_IDENTITY_TOKEN_FILE": "/nonexistent/token", "AWS_ROLE_ARN": Self.role,
        ])
        #expect(result.status == 125)
        #expect(result.stderr.contains("web identity token file"), "\(result.stderr)")
        #expect(mock.log().isEmpty && sts.requests().isEmpty)
    }

    @Test func assumeRoleOverIMDSIsSignedWithTheBaseKeysAndScopedDown() throws {
        let sts = try FakeSTS()
        let mock = try Mock()
        let dir = TempDir()
        try "{ \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}] }"
            .write(toFile: dir.path("policy.json"), atomically: true, encoding: .utf8)
        let base = try mock.current()
        let result = try launch(["--imds-endpoint", mock.url, "--assume-role", Self.role, "--external-id", "ext-123",
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

    @Test func checkShowsEveryHop() throws {
        let sts = try FakeSTS()
        let mock = try Mock()
        let result = try launch(["--check", "--json", "--imds-endpoint", mock.url, "--assume-role", Self.role],
                                environment: ["AWS_ENDPOINT_URL_STS": sts.url])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let chain = (object["chain"] as? [[String: String]])?.map { $0["name"] ?? "" }
        #expect(chain == ["imds", "assume-role"], "\(result.stdout)")
        #expect(object["roleArn"] as? String == Self.role && object["accountId"] as? String == "111122223333")
    }

    @Test(arguments: [("AccessDenied:403:User is not authorized to perform sts:AssumeRole", "AccessDenied"),
                      ("ExpiredTokenException:400:Token expired", "ExpiredTokenException")])
    func anSTSRefusalIsOneLineNamingCallRoleAndCode(error: String, code: String) throws {
        let sts = try FakeSTS(error: error)
        let mock = try Mock()
        let base = try mock.current()
        let result = try launch(["--imds-endpoint", mock.url, "--assume-role", Self.role, "--", "true"],
                                environment: ["AWS_ENDPOINT_URL_STS": sts.url])
        #expect(result.status == 125)
        #expect(result.stderrLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("AssumeRole") && result.stderr.contains(Self.role) && result.stderr.contains(code), "\(result.stderr)")
        #expect(!result.stderr.contains(base["SecretAccessKey"]!) && !result.stderr.contains(base["Token"]!))
        #expect(sts.requests().count == 1, "a refusal was retried")
    }

    @Test func aProfileChainFromInstanceMetadataWithTheProfilesRegion() throws {
        let sts = try FakeSTS()
        let mock = try Mock()
        let dir = TempDir()
        try """
        [profile deploy]
        role_arn = \(Self.role)
        credential_source = Ec2InstanceMetadata
        role_session_name = from-profile
        region = eu-west-1
        """.write(toFile: dir.path("config"), atomically: true, encoding: .utf8)
        let result = try launch(["--profile", "deploy", "--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID $AWS_REGION $AWS_DEFAULT_REGION ${AWS_PROFILE:-none}"], environment: [
            "AWS_ENDPOINT_URL_STS": sts.url, "AWS_EC2_METADATA_SERVICE_ENDPOINT": mock.url, "AWS_CONFIG_FILE": dir.path("config"),
            "AWS_SHARED_CREDENTIALS_FILE": dir.path("none"),
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "ASIAFAKESTS000000001 eu-west-1 eu-west-1 none\n", "\(result.stdout)")
        #expect(sts.requests().first?.form["RoleSessionName"] == "from-profile")
        #expect(!mock.log().contains { $0.contains("placement/region") }, "IMDS asked for a region the profile gives")
    }

    @Test func aProfileTheFileLacksIsAnError() throws {
        let dir = TempDir()
        try "[profile other]\nregion = us-east-2\n".write(toFile: dir.path("config"), atomically: true, encoding: .utf8)
        let result = try launch(["--", "true"], environment: ["AWS_PROFILE": "missing", "AWS_CONFIG_FILE": dir.path("config"),
                                                             "AWS_SHARED_CREDENTIALS_FILE": dir.path("none")])
        #expect(result.status == 125)
        #expect(result.stderr.contains("missing") && result.stderr.contains(dir.path("config")), "\(result.stderr)")
    }
}
