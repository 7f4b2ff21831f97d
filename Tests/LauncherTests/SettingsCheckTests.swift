import Foundation
import Glibc
import Testing
@testable import RoleCreds

/// Every value is checked before anything is fetched: a bad
/// value from a flag, a variable or any profile of a chain is one line naming where it came from, and
/// neither the metadata mock nor the fake STS hears from the launcher.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct SettingsCheckTests {
    static let role = "arn:aws:iam::111122223333:role/r"
    static let keys = "aws_access_key_id = \(ProfileTests.baseKeyId)\naws_secret_access_key = \(ProfileTests.baseSecret)\n"
    /// a → b → c → static keys: three hops, so a bad value of `a` used to be found after two calls.
    static func chain(a: String = "", b: String = "", c: String = "") -> String {
        """
        [profile a]
        role_arn = \(role)a
        source_profile = b
        \(a)
        [profile b]
        role_arn = \(role)b
        source_profile = c
        \(b)
        [profile c]
        role_arn = \(role)c
        source_profile = k
        \(c)
        """
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        var env: [String: String] = [:]
        var config = ""
        /// What the one line says (the origin), and what it must not show.
        var says: String
        var hidden: String? = nil
        var testDescription: String { says }
    }

    static let cases: [Case] = [
        Case(arguments: ["--assume-role", role], env: ["AWS_ROLE_SESSION_NAME": "bad name"], says: "AWS_ROLE_SESSION_NAME: 'bad name' is not a session name"),
        Case(arguments: [], env: ["AWS_ROLE_ARN": "arn:aws:iam::1:role/x", "AWS_WEB_IDENTITY_TOKEN_FILE": "/dev/null"], says: "AWS_ROLE_ARN: 'arn:aws:iam::1:role/x' is not a role ARN"),
        Case(arguments: ["--role-session-name", "a b", "--assume-role", role], says: "--role-session-name: 'a b' is not a session name"),
        Case(arguments: ["--profile", "a"], config: chain(a: "role_session_name = bad name"), says: "role_session_name of profile a in "),
        Case(arguments: ["--profile", "a"], config: chain(a: "external_id = sh4red secret"), says: "external_id of profile a in ", hidden: "sh4red"),
        Case(arguments: ["--profile", "a"], config: chain(b: "duration_seconds = 60"), says: "duration_seconds of profile b in "),
        Case(arguments: ["--profile", "a"], config: chain(c: "mfa_serial = x"), says: "mfa_serial of profile c in "),
        Case(arguments: ["--profile", "a"], config: chain(c: "role_session_name ="), says: "role_session_name of profile c in "),
        Case(arguments: ["--profile", "a"], config: chain().replacingOccurrences(of: "\(role)b", with: "\(role)/" + String(repeating: "p", count: 2040)),
             says: "role_arn of profile b in "),
        Case(arguments: ["--profile", "a"], config: chain(a: "metadata_service_num_attempts = 0"), says: "metadata_service_num_attempts of profile a in "),
    ]

    @Test(arguments: cases)
    func aBadValueFromAnyLayerIsRefusedBeforeAnyRequest(c: Case) async throws {
        let sts = try await FakeSTS()
        let mock = try await Mock()
        let dir = try ProfileTests.files(config: c.config, credentials: "[k]\n" + Self.keys)
        let env = ProfileTests.fileEnvironment(dir).merging(["AWS_ENDPOINT_URL_STS": sts.url, "AWS_EC2_METADATA_SERVICE_ENDPOINT": mock.url]) { $1 }
        let result = try await launch(c.arguments + ["--", "true"], environment: env.merging(c.env) { $1 })
        #expect(result.status == 125 && result.stderrLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("with-role-creds: ") && result.stderr.contains(c.says), "\(result.stderr)")
        if let hidden = c.hidden { #expect(!result.stderr.contains(hidden), "\(result.stderr)") }
        #expect(sts.entries().isEmpty, "STS was called: \(sts.requests().map(\.form))")
        #expect(mock.log().isEmpty, "IMDS was asked: \(mock.log())")
    }

    /// Keys and tokens from the credentials file or the environment are checked like an answer's: a CR LF
    /// would split the STS request, a NUL would go out raw in `Credential=`.
    @Test(arguments: [
        ("AWS_SESSION_TOKEN", "[profile e]\nrole_arn = \(role)\ncredential_source = Environment\n", "", "AWS_SESSION_TOKEN has control characters"),
        ("", "[profile e]\nrole_arn = \(role)\nsource_profile = k\n", "[k]\n\(keys)aws_session_token = x\n  X-Injected: 1\n", "aws_session_token of profile k in "),
        ("", "[profile e]\nrole_arn = \(role)\nsource_profile = k\n", "[k]\naws_access_key_id = AKIA\u{0}X\naws_secret_access_key = s3cr3tValue\n", "aws_access_key_id of profile k in "),
        ("", "[profile e]\nrole_arn = \(role)\nsource_profile = k\n", "[k]\naws_access_key_id = AKIAX\naws_secret_access_key = s3cr3t\u{E9}Value\n", "aws_secret_access_key of profile k in "),
    ])
    func keysThatCouldSplitARequestAreRefusedAndSTSGetsNothing(variable: String, config: String, credentials: String, says: String) async throws {
        let sts = try await FakeSTS()
        let dir = try ProfileTests.files(config: config, credentials: credentials)
        var env = ProfileTests.fileEnvironment(dir).merging(["AWS_ENDPOINT_URL_STS": sts.url]) { $1 }
        let injected = "x\r\nX-Injected: 1\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"
        if !variable.isEmpty {
            env.merge(["AWS_ACCESS_KEY_ID": "AKIAENVIRONMENTKEY01", "AWS_SECRET_ACCESS_KEY": "envSecret/0123456789", variable: injected]) { $1 }
        }
        let result = try await launch(["--profile", "e", "--", "true"], environment: env)
        #expect(result.status == 125 && result.stderrLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains(says), "\(result.stderr)")
        #expect(!result.stderr.contains("Injected") && !result.stderr.contains("s3cr3t"), "\(result.stderr)")
        #expect(sts.entries().isEmpty, "STS got: \(sts.entries())")
    }

    /// `AWS_CONFIG_FILE=/dev/null` and `AWS_SHARED_CREDENTIALS_FILE=/dev/null` read as empty, with one `-v` line each.
    @Test func devNullForEitherFileReadsAsEmpty() async throws {
        let mock = try await Mock()
        let env = ["AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_EC2_METADATA_SERVICE_ENDPOINT": mock.url]
        let verbose = try await launch(["-v", "--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID"], environment: env)
        #expect(verbose.status == 0, "\(verbose.stderr)")
        let keyId = try mock.current()["AccessKeyId"]!
        #expect(verbose.stdout == keyId + "\n")
        #expect(verbose.stderrLines.filter { $0.contains("/dev/null") } == [
            "with-role-creds: the config file /dev/null is not a regular file; read as empty",
            "with-role-creds: the credentials file /dev/null is not a regular file; read as empty",
        ], "\(verbose.stderr)")
        let quiet = try await launch(["--", "true"], environment: env)
        #expect(quiet.status == 0 && quiet.stderr.isEmpty, "\(quiet.stderr)")
        // A token file stays strict.
        let token = try await launch(["--", "true"], environment: env.merging(["AWS_ROLE_ARN": Self.role, "AWS_WEB_IDENTITY_TOKEN_FILE": "/dev/null"]) { $1 })
        #expect(token.status == 125 && token.stderr.contains("not a regular file"), "\(token.stderr)")
    }

    /// At most 16 roles in a chain, `--assume-role` included; one line before any call.
    @Test func aChainOfMoreThanSixteenRolesIsRefusedBeforeAnyCall() async throws {
        let sts = try await FakeSTS()
        func config(_ hops: Int) -> String {
            (1...hops).map { "[profile p\($0)]\nrole_arn = \(Self.role)\($0)\nsource_profile = \($0 == hops ? "k" : "p\($0 + 1)")\n" }.joined()
        }
        for (hops, assume, ok) in [(15, true, true), (16, true, false), (17, false, false)] {
            let dir = try ProfileTests.files(config: config(hops), credentials: "[k]\n" + Self.keys)
            let env = ProfileTests.fileEnvironment(dir).merging(["AWS_ENDPOINT_URL_STS": sts.url]) { $1 }
            let before = sts.requests().count
            let result = try await launch(["--profile", "p1"] + (assume ? ["--assume-role", Self.role] : []) + ["--", "true"], environment: env)
            if ok {
                #expect(result.status == 0, "\(result.stderr)")
                #expect(sts.requests().count - before == 16)
            } else {
                #expect(result.status == 125 && result.stderrLines.count == 1 && result.stderr.contains("16"), "\(hops): \(result.stderr)")
                #expect(sts.requests().count == before, "\(hops) hops: STS was called")
            }
        }
    }
}
