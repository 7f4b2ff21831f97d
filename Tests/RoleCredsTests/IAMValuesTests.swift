import Testing
@testable import RoleCreds

/// The one definition of each STS/IAM value rule, and what `Settings.resolve` makes of the profile forms
/// and values that must be refused (pure: no launcher, no network).
@Suite struct IAMValuesTests {
    static let role = "arn:aws:iam::111122223333:role/r"

    static func resolve(_ config: String, credentials: String? = nil, _ env: [String],
                        _ edit: (inout Options) -> Void = { _ in }) throws -> Settings {
        var options = Options()
        options.command = ["cmd"]
        edit(&options)
        let set = try ConfigFile.parse(configText: config, credentialsText: credentials,
                                       configPath: "/h/.aws/config", credentialsPath: "/h/.aws/credentials")
        return try Settings.resolve(options, environment: EnvironmentLookup(env), profiles: set)
    }

    static func refusal(_ body: () throws -> Settings) -> String {
        do { _ = try body(); return "accepted" } catch { return "\(error)" }
    }

    @Test(arguments: [
        ("--attempts", "0", "--attempts must be a whole number from 1 to 20, not '0'"),
        ("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "21", "AWS_METADATA_SERVICE_NUM_ATTEMPTS must be a whole number from 1 to 20, not '21'"),
    ])
    func attemptsNameTheirOrigin(origin: String, text: String, says: String) {
        #expect(throws: UsageError(says)) { try IAMValues.attempts(text, from: origin) }
    }

    @Test func durationsFromAProfileAreWholeSecondsInRange() throws {
        #expect(try IAMValues.durationSeconds("900", from: "x") == 900)
        #expect(throws: UsageError("x must be whole seconds from 900 to 43200 (15m to 12h, STS DurationSeconds), not '1h'")) {
            try IAMValues.durationSeconds("1h", from: "x")
        }
    }

    @Test(arguments: [("123456", true), ("12345", false), ("1234567", false), ("12345a", false), ("١٢٣٤٥٦", false)])
    func mfaCodesAreSixASCIIDigits(code: String, ok: Bool) { #expect(IAMValues.isMFACode(code) == ok) }

    @Test(arguments: [("AKIAEXAMPLE", nil as String?), ("AKIA X", "has invalid characters"), ("", "has invalid characters"),
                      (String(repeating: "A", count: 129), "has invalid characters")])
    func keyIds(text: String, problem: String?) {
        #expect(CredentialText.keyIdProblem(text).map { $0.hasPrefix(problem ?? "-") } ?? (problem == nil))
    }

    @Test(arguments: [("wJalr/K7MDENG+bPxRfiCY", nil as String?), ("a\r\nb", "has control characters"), ("a\u{0}b", "has control characters"),
                      ("caf\u{E9}", "has characters other than printable ASCII"), ("a b", "has characters other than printable ASCII"),
                      (String(repeating: "s", count: 12 * 1024 + 1), "is longer than 12288 bytes")])
    func secrets(text: String, problem: String?) {
        #expect(CredentialText.secretProblem(text) == problem)
    }

    @Test func aCodeIsTakenOnceAndADeviceAskedOnce() throws {
        let hops = [AssumeRoleSettings(roleArn: Self.role, mfaSerial: "arn:aws:iam::1:mfa/a", profile: "p"),
                    AssumeRoleSettings(roleArn: Self.role, mfaSerial: "arn:aws:iam::1:mfa/a", profile: "q")]
        #expect(MFACodes.devices(hops).map(\.profile) == ["p"])
        struct Fixed: MFAPrompt {
            func code(serial: String, profile: String, wait: Wait) throws(CredentialError) -> Secret { Secret("314159") }
        }
        let codes = MFACodes()
        try codes.ask(hops, prompt: Fixed(), wait: Wait(millis: 1, clock: SystemClock()))
        #expect(try codes.take(serial: "arn:aws:iam::1:mfa/a", profile: "p").reveal() == "314159")
        #expect(throws: CredentialError.self) { try codes.take(serial: "arn:aws:iam::1:mfa/a", profile: "p") }
    }

    @Test func theSelectedWebIdentityProfileIsUsedAndExplicitStaticKeysToo() throws {
        let wi = try Self.resolve("[profile wi]\nrole_arn = \(Self.role)\nweb_identity_token_file = /t\nrole_session_name = s1\n", ["AWS_PROFILE=wi"])
        #expect(wi.source.value == .webIdentity(WebIdentitySettings(roleArn: Self.role, token: .file("/t"), sessionName: "s1")))
        #expect(wi.sts != nil)
        let keys = "[dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = s3cr3t\n[default]\naws_access_key_id = AKIADEF\naws_secret_access_key = s3cr3t\n"
        let dev = try Self.resolve("", credentials: keys, ["AWS_DEFAULT_PROFILE=dev"])
        guard case .staticKeys(let k) = dev.source.value else { Issue.record("\(dev.source.value)"); return }
        #expect(k.accessKeyId == "AKIADEV")
        let implicit = try Self.resolve("", credentials: keys, [])
        guard case .imds = implicit.source.value else { Issue.record("\(implicit.source.value)"); return }
    }

    @Test func aBadSessionNameVariableIsRefusedWhereItIsUsed() {
        #expect(Self.refusal { try Self.resolve("", ["AWS_ROLE_SESSION_NAME=a b"]) { $0.assumeRoleArn = Self.role } }
                == "AWS_ROLE_SESSION_NAME: 'a b' is not a session name (2 to 64 letters, digits and _+=,.@-)")
        // Unused (no role to assume), it is nobody's business.
        #expect(Self.refusal { try Self.resolve("", ["AWS_ROLE_SESSION_NAME=a b"]) } == "accepted")
    }

    @Test func sixteenRolesAreTheMostAChainAssumes() {
        let config = (1...16).map { "[profile p\($0)]\nrole_arn = \(Self.role)\($0)\nsource_profile = \($0 == 16 ? "k" : "p\($0 + 1)")\n" }.joined()
        let keys = "[k]\naws_access_key_id = AKIAK\naws_secret_access_key = s3cr3t\n"
        #expect(Self.refusal { try Self.resolve(config, credentials: keys, ["AWS_PROFILE=p1"]) } == "accepted")
        #expect(Self.refusal { try Self.resolve(config, credentials: keys, ["AWS_PROFILE=p1"]) { $0.assumeRoleArn = Self.role } }
                == "the role chain has 17 roles to assume (the profile's and --assume-role); at most 16 are allowed")
    }
}
