import Foundation
import Glibc
import Testing
@testable import RoleCreds

/// Profiles of the shared config file end to end (spec §8): settings from a profile with their
/// origins in `--check`, `source_profile` chains against the fake STS, and what is refused before any call.
/// Every run reads a config and a credentials file of its own temporary directory, never `~/.aws`.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct ProfileTests {
    /// A temporary directory with `config` and `credentials` (either may be left absent).
    static func files(config: String?, credentials: String? = nil) throws -> TempDir {
        let dir = TempDir()
        try config?.write(toFile: dir.path("config"), atomically: true, encoding: .utf8)
        try credentials?.write(toFile: dir.path("credentials"), atomically: true, encoding: .utf8)
        return dir
    }

    static func fileEnvironment(_ dir: TempDir) -> [String: String] {
        ["AWS_CONFIG_FILE": dir.path("config"), "AWS_SHARED_CREDENTIALS_FILE": dir.path("credentials")]
    }

    /// Runs the launcher without the harness's IMDS endpoint variable (unless `environment` sets one), so
    /// the profile's `ec2_metadata_service_endpoint` can apply. Before it starts, the settings are resolved
    /// in this process with the same library: a build that ignored the profile would ask 169.254.169.254,
    /// so the launcher is started only when the endpoint it will use is a loopback address.
    static func launchUsingProfileEndpoint(_ arguments: [String], environment: [String: String]) async throws -> RunResult {
        var env = baseEnvironment()
        env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = nil
        env.merge(environment) { $1 }
        let lookup = EnvironmentLookup(env.map { "\($0.key)=\($0.value)" })
        guard case .run(let options) = try Options.parse(arguments) else { throw HarnessError("not a run: \(arguments)") }
        let settings = try Settings.resolve(options, environment: lookup,
                                            profiles: try ConfigFileLocation.resolve(environment: lookup).load())
        guard case .imds(let config) = settings.source.value, ["127.0.0.1", "::1", "localhost"].contains(config.endpoint.host) else {
            throw HarnessError("not launched: the IMDS endpoint would be \(settings.source.value), not loopback")
        }
        return try await Running(Paths.launcher, arguments, environment: env).wait()
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)")
    }

    /// The `settings` entry `name` of a `--check --json` object.
    static func setting(_ object: [String: Any], _ name: String) -> [String: String]? {
        (object["settings"] as? [[String: String]])?.first { $0["name"] == name }
    }

    // MARK: settings from the profile, and where they came from

    @Test func theProfilesIMDSEndpointAndRegionAreUsedAndCheckNamesTheProfile() async throws {
        let mock = try await Mock()
        let dir = try Self.files(config: """
            [profile deploy]
            region = ap-southeast-2
            ec2_metadata_service_endpoint = \(mock.url)
            metadata_service_num_attempts = 2
            """)
        let config = dir.path("config")
        let env = Self.fileEnvironment(dir)
        let run = try await Self.launchUsingProfileEndpoint(["--profile", "deploy", "--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID $AWS_REGION"], environment: env)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "\(try mock.current()["AccessKeyId"]!) ap-southeast-2\n", "\(run.stdout)")
        #expect(mock.log().contains { $0.contains("PUT /latest/api/token") }, "the profile's endpoint was not asked")
        #expect(!mock.log().contains { $0.contains("placement/region") }, "IMDS asked for a region the profile gives")

        let check = try await Self.launchUsingProfileEndpoint(["--check", "--json", "--profile", "deploy"], environment: env)
        #expect(check.status == 0, "\(check.stderr)")
        let object = try Self.json(check.stdout)
        // The fields of spec §1 are still there.
        #expect(object["source"] as? String == "imds" && object["region"] as? String == "ap-southeast-2")
        #expect(object["role"] as? String == "mock-role" && object["imdsV1"] as? String == "disabled")
        let profile = try #require(object["profile"] as? [String: Any], "\(check.stdout)")
        #expect(profile["name"] as? String == "deploy" && profile["selectedBy"] as? String == "--profile")
        #expect(profile["files"] as? [String] == [config])
        #expect(Self.setting(object, "imds endpoint") == [
            "name": "imds endpoint", "value": mock.url, "origin": "profile", "key": "ec2_metadata_service_endpoint",
            "profile": "deploy", "file": config, "from": "ec2_metadata_service_endpoint of profile deploy in \(config)",
        ], "\(check.stdout)")
        #expect(Self.setting(object, "region")?["key"] == "region" && Self.setting(object, "region")?["origin"] == "profile")
        #expect(Self.setting(object, "attempts")?["value"] == "2" && Self.setting(object, "attempts")?["key"] == "metadata_service_num_attempts")
        #expect(Self.setting(object, "timeout")?["origin"] == "default")

        let text = try await Self.launchUsingProfileEndpoint(["--check", "--profile", "deploy"], environment: env)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("\nprofile: deploy (from --profile) in \(config)\n"), "\(text.stdout)")
        #expect(text.stdout.contains("\nsetting imds endpoint = \(mock.url) (from ec2_metadata_service_endpoint of profile deploy in \(config))"), "\(text.stdout)")
        #expect(text.stdout.contains("\nregion: ap-southeast-2 (from region of profile deploy in \(config))\n"), "\(text.stdout)")
    }

    @Test func aVariableOverridesTheProfileAndCheckNamesTheVariable() async throws {
        let profileMock = try await Mock()
        let variableMock = try await Mock()
        let dir = try Self.files(config: "[default]\nregion = ap-southeast-2\nec2_metadata_service_endpoint = \(profileMock.url)\n")
        let env = Self.fileEnvironment(dir).merging([
            "AWS_EC2_METADATA_SERVICE_ENDPOINT": variableMock.url, "AWS_REGION": "ca-central-1",
        ]) { $1 }
        let run = try await Self.launchUsingProfileEndpoint(["--", "sh", "-c", "echo $AWS_REGION"], environment: env)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "ca-central-1\n")
        #expect(!variableMock.log().isEmpty && profileMock.log().isEmpty, "profile's mock: \(profileMock.log())")

        let check = try await Self.launchUsingProfileEndpoint(["--check", "--json"], environment: env)
        #expect(check.status == 0, "\(check.stderr)")
        let object = try Self.json(check.stdout)
        #expect(Self.setting(object, "imds endpoint") == [
            "name": "imds endpoint", "value": variableMock.url, "origin": "environment",
            "variable": "AWS_EC2_METADATA_SERVICE_ENDPOINT", "from": "AWS_EC2_METADATA_SERVICE_ENDPOINT",
        ], "\(check.stdout)")
        #expect(Self.setting(object, "region")?["variable"] == "AWS_REGION")
        // The implicit `default` profile is in use: it exists.
        #expect((object["profile"] as? [String: Any])?["selectedBy"] as? String == "default")
        #expect(profileMock.log().isEmpty)
    }

    @Test func withoutAProfileCheckSaysNone() async throws {
        let mock = try await Mock()
        let dir = try Self.files(config: nil)
        let json = try await launch(["--check", "--json", "--imds-endpoint", mock.url], environment: Self.fileEnvironment(dir))
        #expect(json.status == 0, "\(json.stderr)")
        let object = try Self.json(json.stdout)
        #expect(object["profile"] is NSNull, "\(json.stdout)")
        #expect(Self.setting(object, "imds endpoint")?["flag"] == "--imds-endpoint")
        #expect(Self.setting(object, "attempts") == ["name": "attempts", "value": "3", "origin": "default", "from": "default"])
        let text = try await launch(["--check", "--imds-endpoint", mock.url], environment: Self.fileEnvironment(dir))
        #expect(text.stdout.contains("\nprofile: none\n"), "\(text.stdout)")
    }

    // MARK: source_profile chains against the fake STS

    static let opsRole = "arn:aws:iam::111122223333:role/ops"
    static let deployRole = "arn:aws:iam::444455556666:role/deploy"
    static let baseKeyId = "AKIAFAKEBASE00000001"
    static let baseSecret = "fakeBaseSecret/0123456789"
    static let chainConfig = """
        [profile deploy]
        role_arn = \(deployRole)
        source_profile = ops
        external_id = ext-9
        duration_seconds = 1800
        region = eu-central-1

        [profile ops]
        role_arn = \(opsRole)
        source_profile = base
        role_session_name = ops-session
        """
    static let chainCredentials = "[base]\naws_access_key_id = \(baseKeyId)\naws_secret_access_key = \(baseSecret)\n"

    @Test func staticKeysThenTwoRolesInOrderEachSignedWithTheKeysBefore() async throws {
        let sts = try await FakeSTS()
        let mock = try await Mock()
        let dir = try Self.files(config: Self.chainConfig, credentials: Self.chainCredentials)
        let env = Self.fileEnvironment(dir).merging(["AWS_ENDPOINT_URL_STS": sts.url, "AWS_EC2_METADATA_SERVICE_ENDPOINT": mock.url]) { $1 }
        let result = try await launch(["--profile", "deploy", "--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID $AWS_SECRET_ACCESS_KEY $AWS_SESSION_TOKEN $AWS_ACCOUNT_ID"],
                                environment: env)
        #expect(result.status == 0, "\(result.stderr)")
        // The child has the last hop's keys.
        #expect(result.stdout == "ASIAFAKESTS000000002 fakeStsSecret2/abcdefghijkl fakeStsToken2/mnopqrstuvwxyz 444455556666\n", "\(result.stdout)")
        let requests = sts.requests()
        #expect(requests.count == 2, "\(requests.map(\.form))")
        guard requests.count == 2 else { return }
        let (first, second) = (requests[0], requests[1])
        #expect(first.form["Action"] == "AssumeRole" && first.form["RoleArn"] == Self.opsRole && first.form["RoleSessionName"] == "ops-session")
        #expect(first.headers["Authorization"]?.hasPrefix("AWS4-HMAC-SHA256 Credential=\(Self.baseKeyId)/") == true, "\(first.headers)")
        #expect(first.headers["Authorization"]?.contains("/eu-central-1/sts/aws4_request") == true)
        #expect(first.headers["X-Amz-Security-Token"] == nil, "long-term keys have no session token")
        #expect(second.form["Action"] == "AssumeRole" && second.form["RoleArn"] == Self.deployRole)
        #expect(second.form["ExternalId"] == "ext-9" && second.form["DurationSeconds"] == "1800")
        #expect(second.headers["Authorization"]?.hasPrefix("AWS4-HMAC-SHA256 Credential=ASIAFAKESTS000000001/") == true, "\(second.headers)")
        #expect(second.headers["X-Amz-Security-Token"] == "fakeStsToken1/mnopqrstuvwxyz")
        #expect(mock.log().isEmpty, "IMDS was asked: \(mock.log())")
        #expect(!result.stderr.contains(Self.baseSecret))
    }

    @Test func checkPrintsEveryHopAndWhereEachCameFrom() async throws {
        let sts = try await FakeSTS()
        let dir = try Self.files(config: Self.chainConfig, credentials: Self.chainCredentials)
        let (config, credentials) = (dir.path("config"), dir.path("credentials"))
        let env = Self.fileEnvironment(dir).merging(["AWS_ENDPOINT_URL_STS": sts.url, "AWS_PROFILE": "deploy"]) { $1 }
        let json = try await launch(["--check", "--json"], environment: env)
        #expect(json.status == 0, "\(json.stderr)")
        let object = try Self.json(json.stdout)
        let chain = try #require(object["chain"] as? [[String: String]], "\(json.stdout)")
        #expect(chain.map { $0["name"] ?? "" } == ["static-keys", "assume-role", "assume-role"], "\(chain)")
        #expect(chain.map { $0["target"] ?? "" } == ["profile base", Self.opsRole, Self.deployRole], "\(chain)")
        #expect(object["accountId"] as? String == "444455556666")
        let profile = try #require(object["profile"] as? [String: Any])
        #expect(profile["name"] as? String == "deploy" && profile["selectedBy"] as? String == "AWS_PROFILE")
        let roles = (object["settings"] as? [[String: String]])?.filter { $0["name"] == "assume role" } ?? []
        #expect(roles.map { $0["value"] ?? "" } == [Self.opsRole, Self.deployRole])
        #expect(roles.map { $0["profile"] ?? "" } == ["ops", "deploy"] && roles.allSatisfy { $0["key"] == "role_arn" && $0["file"] == config })
        #expect(Self.setting(object, "source")?["key"] == "aws_access_key_id" && Self.setting(object, "source")?["file"] == credentials)
        #expect(Self.setting(object, "sts endpoint")?["variable"] == "AWS_ENDPOINT_URL_STS")
        #expect(!json.stdout.contains(Self.baseSecret) && !json.stdout.contains("fakeStsSecret"))

        let text = try await launch(["--check"], environment: env)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("\nchain: static-keys (profile base) -> assume-role (\(Self.opsRole)) -> assume-role (\(Self.deployRole))\n"),
                "\(text.stdout)")
        #expect(text.stdout.contains("\nsetting source = static-keys (profile base) (from aws_access_key_id of profile base in \(credentials))\n"),
                "\(text.stdout)")
        #expect(text.stdout.contains("\nsetting assume role = \(Self.opsRole) (from role_arn of profile ops in \(config))\n"), "\(text.stdout)")
        #expect(sts.requests().count == 4, "two hops, twice")
    }

    // MARK: refused before any call

    @Test func aCycleIsRefusedBeforeAnyCallWithThePath() async throws {
        let sts = try await FakeSTS()
        let mock = try await Mock()
        let dir = try Self.files(config: """
            [profile a]
            role_arn = arn:aws:iam::111122223333:role/a
            source_profile = b
            [profile b]
            role_arn = arn:aws:iam::111122223333:role/b
            source_profile = a
            """, credentials: "[c]\naws_access_key_id = \(Self.baseKeyId)\naws_secret_access_key = \(Self.baseSecret)\n")
        let env = Self.fileEnvironment(dir).merging(["AWS_ENDPOINT_URL_STS": sts.url, "AWS_EC2_METADATA_SERVICE_ENDPOINT": mock.url]) { $1 }
        for arguments in [["--profile", "a", "--", "true"], ["--profile", "a", "--check"]] {
            let result = try await launch(arguments, environment: env)
            #expect(result.status == 125, "\(arguments): \(result.stderr)")
            #expect(result.stderrLines.count == 1, "\(result.stderr)")
            #expect(result.stderr.contains("cycle") && result.stderr.contains("a -> b -> a"), "\(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
        #expect(sts.requests().isEmpty, "STS was called: \(sts.requests().map(\.form))")
        #expect(mock.log().isEmpty, "IMDS was asked: \(mock.log())")
    }

    @Test(arguments: [
        // (the config file, the words the one line must hold)
        ("[profile p]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Admin\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n", "SSO"),
        ("[profile p]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 111122223333\nsso_role_name = Admin\n", "SSO"),
        // Deeper in a chain: refused all the same, before the first hop.
        ("[profile p]\nrole_arn = arn:aws:iam::111122223333:role/r\nsource_profile = helper\n[profile helper]\nsso_session = corp\n", "SSO"),
    ])
    func unsupportedProfilesAreOneLineAndContactNothing(config: String, word: String) async throws {
        let sts = try await FakeSTS()
        let mock = try await Mock()
        let dir = try Self.files(config: config)
        let env = Self.fileEnvironment(dir).merging(["AWS_ENDPOINT_URL_STS": sts.url, "AWS_EC2_METADATA_SERVICE_ENDPOINT": mock.url,
                                                     "MARKER": dir.path("ran")]) { $1 }
        let result = try await launch(["--profile", "p", "--", "true"], environment: env)
        #expect(result.status == 125, "\(result.stderr)")
        #expect(result.stderrLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("with-role-creds: ") && result.stderr.contains("does not support") && result.stderr.contains(word),
                "\(result.stderr)")
        #expect(sts.requests().isEmpty && mock.log().isEmpty, "something was contacted")
        #expect(!FileManager.default.fileExists(atPath: dir.path("ran")), "the credential process ran")
    }

    @Test func credentialProcessStartsARoleChain() async throws {
        // The helper's keys sign the AssumeRole of the profile above it (spec §9, as in the SDKs).
        let sts = try await FakeSTS()
        let dir = try Self.files(config: """
            [profile p]
            role_arn = arn:aws:iam::111122223333:role/r
            source_profile = helper
            [profile helper]
            credential_process = /bin/sh -c 'printf "{\\"Version\\": 1, \\"AccessKeyId\\": \\"AKIAHELPERKEY000001\\", \\"SecretAccessKey\\": \\"helperSecret\\"}"'
            """)
        let env = Self.fileEnvironment(dir).merging(["AWS_ENDPOINT_URL_STS": sts.url, "AWS_EC2_METADATA_DISABLED": "true"]) { $1 }
        let result = try await launch(["--profile", "p", "--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID"], environment: env)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("ASIAFAKESTS"), "\(result.stdout)")
        let requests = sts.requests()
        #expect(requests.count == 1 && requests[0].form["Action"] == "AssumeRole")
        #expect(requests.first?.headers["Authorization"]?.contains("Credential=AKIAHELPERKEY000001/") == true, "\(requests.first?.headers ?? [:])")
    }
}
