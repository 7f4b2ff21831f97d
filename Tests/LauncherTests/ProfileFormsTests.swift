import Foundation
import Glibc
import Testing
@testable import RoleCreds

/// Every profile form the README's table lists, as the selected profile and as a `source_profile`
/// against the fake STS, the metadata mock and the fake's container endpoint.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ProfileFormsTests {
    enum Form: String, CaseIterable, Sendable {
        case staticKeys, sourceProfile, instanceMetadata, container, environment, webIdentity
    }

    static let formRole = "arn:aws:iam::111122223333:role/form"
    static let topRole = "arn:aws:iam::444455556666:role/top"
    static let keyId = "AKIAFORMKEYS00000001"
    static let secret = "fakeFormSecret/0123456789"
    static let envKeyId = "AKIAFORMENVIRONMENT1"

    /// Profile `p` in `form` (config and credentials text), and the environment that form needs.
    static func profile(_ form: Form, dir: TempDir, mock: Mock, sts: FakeSTS) throws -> (config: String, credentials: String, env: [String: String]) {
        let keys = "aws_access_key_id = \(keyId)\naws_secret_access_key = \(secret)\n"
        switch form {
        case .staticKeys: return ("", "[p]\n" + keys, [:])
        case .sourceProfile: return ("[profile p]\nrole_arn = \(formRole)\nsource_profile = k\n", "[k]\n" + keys, [:])
        case .instanceMetadata:
            return ("[profile p]\nrole_arn = \(formRole)\ncredential_source = Ec2InstanceMetadata\n", "",
                    ["AWS_EC2_METADATA_SERVICE_ENDPOINT": mock.url])
        case .container:
            return ("[profile p]\nrole_arn = \(formRole)\ncredential_source = EcsContainer\n", "",
                    ["AWS_CONTAINER_CREDENTIALS_FULL_URI": sts.url + "container-creds"])
        case .environment:
            return ("[profile p]\nrole_arn = \(formRole)\ncredential_source = Environment\n", "",
                    ["AWS_ACCESS_KEY_ID": envKeyId, "AWS_SECRET_ACCESS_KEY": secret])
        case .webIdentity:
            try (STSTests.jwt + "\n").write(toFile: dir.path("token"), atomically: true, encoding: .utf8)
            return ("[profile p]\nrole_arn = \(formRole)\nweb_identity_token_file = \(dir.path("token"))\nrole_session_name = wi-session\n", "", [:])
        }
    }

    /// The key id that signs the first `AssumeRole` of `form` (nil: web identity, whose first call is unsigned).
    static func baseKeyId(_ form: Form, mock: Mock) throws -> String? {
        switch form {
        case .staticKeys, .sourceProfile: return keyId
        case .instanceMetadata: return try mock.current()["AccessKeyId"]
        case .container: return "ASIAFAKECONTAINER001"
        case .environment: return envKeyId
        case .webIdentity: return nil
        }
    }

    @Test(arguments: Form.allCases, [false, true])
    func eachFormWorksSelectedAndAsASourceProfile(form: Form, asSource: Bool) async throws {
        let sts = try await FakeSTS()
        let mock = try await Mock()
        let dir = TempDir()
        let (config, credentials, formEnv) = try Self.profile(form, dir: dir, mock: mock, sts: sts)
        let top = asSource ? "[profile top]\nrole_arn = \(Self.topRole)\nsource_profile = p\n" : ""
        try (top + config).write(toFile: dir.path("config"), atomically: true, encoding: .utf8)
        try credentials.write(toFile: dir.path("credentials"), atomically: true, encoding: .utf8)
        let env = ProfileTests.fileEnvironment(dir).merging(["AWS_ENDPOINT_URL_STS": sts.url]) { $1 }.merging(formEnv) { $1 }
        let result = try await launch(["--profile", asSource ? "top" : "p", "--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID"], environment: env)
        #expect(result.status == 0, "\(form) \(asSource): \(result.stderr)")

        var expected: [String] = []
        if form == .webIdentity { expected.append("AssumeRoleWithWebIdentity \(Self.formRole)") }
        if form != .staticKeys && form != .webIdentity { expected.append("AssumeRole \(Self.formRole)") }
        if asSource { expected.append("AssumeRole \(Self.topRole)") }
        let requests = sts.requests()
        #expect(requests.map { "\($0.form["Action"] ?? "") \($0.form["RoleArn"] ?? "")" } == expected, "\(form) \(asSource)")
        if form == .webIdentity {
            #expect(requests.first?.form["WebIdentityToken"] == STSTests.jwt && requests.first?.form["RoleSessionName"] == "wi-session")
        }
        let firstSigned = requests.first { $0.form["Action"] == "AssumeRole" }
        let signer = try Self.baseKeyId(form, mock: mock) ?? "ASIAFAKESTS000000001"
        if let firstSigned {
            #expect(firstSigned.headers["Authorization"]?.contains("Credential=\(signer)/") == true, "\(firstSigned.headers)")
        }
        // The child has the last answer's keys: the form's own keys when nothing was assumed.
        let answers = requests.count + sts.gets().count
        let childKey = requests.isEmpty ? Self.keyId : String(format: "ASIAFAKESTS%09d", answers)
        #expect(result.stdout == childKey + "\n", "\(form) \(asSource): \(result.stdout)")
        #expect(mock.log().isEmpty == (form != .instanceMetadata), "IMDS: \(mock.log())")
        #expect(sts.gets().isEmpty == (form != .container), "container: \(sts.gets().map(\.path))")
    }

    /// An explicitly selected profile with static keys gives its keys, whatever selects it; `--assume-role`
    /// works on top of them; the implicit `default` profile's keys do not replace the role chain (spec §2).
    @Test func explicitlySelectedStaticKeysAreUsedAndAssumeRoleWorksFromThem() async throws {
        let sts = try await FakeSTS()
        let mock = try await Mock()
        let dir = try ProfileTests.files(config: "", credentials: "[dev]\naws_access_key_id = \(Self.keyId)\naws_secret_access_key = \(Self.secret)\n[default]\naws_access_key_id = AKIAIMPLICITDEFAULT1\naws_secret_access_key = \(Self.secret)\n")
        let env = ProfileTests.fileEnvironment(dir).merging(["AWS_ENDPOINT_URL_STS": sts.url, "AWS_EC2_METADATA_SERVICE_ENDPOINT": mock.url]) { $1 }
        let print = ["--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID $AWS_SECRET_ACCESS_KEY ${AWS_SESSION_TOKEN:-none}"]
        for (arguments, extra) in [(["--profile", "dev"], [String: String]()), ([], ["AWS_PROFILE": "dev"]), ([], ["AWS_DEFAULT_PROFILE": "dev"])] {
            let result = try await launch(arguments + print, environment: env.merging(extra) { $1 })
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == "\(Self.keyId) \(Self.secret) none\n", "\(arguments) \(extra): \(result.stdout)")
        }
        #expect(mock.log().isEmpty && sts.requests().isEmpty, "something was asked for a profile's own keys")

        let assumed = try await launch(["--profile", "dev", "--assume-role", Self.topRole] + print, environment: env)
        #expect(assumed.status == 0, "\(assumed.stderr)")
        #expect(assumed.stdout.hasPrefix("ASIAFAKESTS000000001 "), "\(assumed.stdout)")
        let call = try #require(sts.requests().first)
        #expect(call.form["RoleArn"] == Self.topRole && call.headers["Authorization"]?.contains("Credential=\(Self.keyId)/") == true)

        // Not selected by name: the default profile's keys leave the usual chain (IMDS here) in charge; and a
        // flag beats a variable: `--imds-endpoint` asks for the instance's role over AWS_PROFILE's keys.
        let imdsKey = try mock.current()["AccessKeyId"]!
        let implicit = try await launch(print, environment: env)
        #expect(implicit.status == 0, "\(implicit.stderr)")
        #expect(implicit.stdout.hasPrefix(imdsKey + " "), "\(implicit.stdout)")
        let flagged = try await launch(["--imds-endpoint", mock.url] + print, environment: env.merging(["AWS_PROFILE": "dev"]) { $1 })
        #expect(flagged.status == 0 && flagged.stdout.hasPrefix(imdsKey + " "), "\(flagged.stdout) \(flagged.stderr)")
    }

    /// Settings present but unusable are an error naming the key, never a fall-back to another source.
    @Test(arguments: [
        ("[profile p]\nrole_arn =\nsource_profile = k\n", [String: String](), "role_arn of profile p in"),
        ("[profile p]\nrole_arn = \(formRole)\ncredential_source = ec2instancemetadata\n", [:], "spelled exactly"),
        ("[profile p]\nrole_arn = \(formRole)\ncredential_source = Ec2InstanceMetadata\n", ["AWS_EC2_METADATA_DISABLED": "true"],
         "IMDS is disabled by AWS_EC2_METADATA_DISABLED=true"),
    ])
    func unusableSettingsAreAnErrorNotAFallBack(config: String, extra: [String: String], says: String) async throws {
        let sts = try await FakeSTS()
        let mock = try await Mock()
        let dir = try ProfileTests.files(config: config, credentials: "[k]\naws_access_key_id = \(Self.keyId)\naws_secret_access_key = \(Self.secret)\n")
        let env = ProfileTests.fileEnvironment(dir).merging(["AWS_ENDPOINT_URL_STS": sts.url, "AWS_EC2_METADATA_SERVICE_ENDPOINT": mock.url]) { $1 }
        let result = try await launch(["--profile", "p", "--", "true"], environment: env.merging(extra) { $1 })
        #expect(result.status == 125 && result.stderrLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains(says), "\(result.stderr)")
        #expect(sts.entries().isEmpty && mock.log().isEmpty, "something was contacted")
    }
}
