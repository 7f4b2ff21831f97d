import Testing
@testable import RoleCreds

/// Every way Swift turns a value into text.
private func renderings<T>(_ value: T) -> [(String, String)] {
    var dumped = ""
    dump(value, to: &dumped)
    var deepDump = ""
    dump(value, to: &deepDump, maxDepth: .max, maxItems: .max)
    return [
        ("description", String(describing: value)),
        ("interpolation", "\(value)"),
        ("String(reflecting:)", String(reflecting: value)),
        ("dump", dumped),
        ("dump, unlimited", deepDump),
        ("print", { var s = ""; print(value, to: &s); return s }()),
        ("debugPrint", { var s = ""; debugPrint(value, to: &s); return s }()),
        ("mirror", Mirror(reflecting: value).children.map { "\($0.label ?? ""): \($0.value)" }.joined(separator: ", ")),
    ]
}

private func expectNoSecrets<T>(_ value: T, _ secrets: [String] = [Fixture.secret, Fixture.token],
                                sourceLocation: SourceLocation = #_sourceLocation) {
    for (how, text) in renderings(value) {
        for secret in secrets {
            #expect(!text.contains(secret), "\(how) reveals a secret: \(text)", sourceLocation: sourceLocation)
        }
    }
}

@Suite("Secret and Credentials never print secrets")
struct CredentialsTests {
    @Test func secretIsRedacted() {
        let secret = Secret(Fixture.secret)
        expectNoSecrets(secret)
        #expect(secret.description == "<redacted>")
        #expect(secret.debugDescription == "<redacted>")
        #expect("\(secret)" == "<redacted>")
        #expect(Mirror(reflecting: secret).children.isEmpty)
        #expect(secret.reveal() == Fixture.secret)
        #expect(!secret.isEmpty && Secret("").isEmpty)
        #expect(Secret("a") == Secret("a") && Secret("a") != Secret("b"))
    }

    @Test func credentialsAreMasked() {
        let c = Fixture.credentials
        expectNoSecrets(c, [Fixture.secret, Fixture.token, Fixture.keyId])
        #expect(c.description == "Credentials(ASIA…MPLE, expires 2024-06-01T06:00:00Z, account 123456789012)")
        #expect(c.debugDescription == c.description)
        #expect("\(c)" == c.description)
        for (how, text) in renderings(c) where how != "mirror" {
            #expect(text.contains("ASIA…MPLE"), "\(how) does not show the masked key id: \(text)")
        }
        var noAccount = c
        noAccount.accountId = nil
        #expect(noAccount.description == "Credentials(ASIA…MPLE, expires 2024-06-01T06:00:00Z)")
    }

    /// Containers print their elements through the same hooks.
    @Test func containersOfSecretsAreMasked() {
        let c = Fixture.credentials
        expectNoSecrets(Optional(c))
        expectNoSecrets([c, c])
        expectNoSecrets(["current": c])
        expectNoSecrets((c, Secret(Fixture.secret)))
        expectNoSecrets(Result<Credentials, CredentialError>.success(c))
        expectNoSecrets(ChildEnvironment.Supply.keys(c))
        expectNoSecrets(ChildEnvironment.Supply.endpoint(url: "http://127.0.0.1:1/credentials", token: Secret(Fixture.token),
                                                        accountId: nil))
        expectNoSecrets(ContainerConfig.Authorization.token(Secret(Fixture.token)))
        let config = ContainerConfig(url: HTTPURL(host: "169.254.170.2", path: "/v2/credentials/x"),
                                     authorization: .token(Secret(Fixture.token)), timeoutMillis: 1000, attempts: 3)
        expectNoSecrets(config)
        expectNoSecrets(Settings.Source.container(config))
    }

    @Test(arguments: [
        ("ASIAIOSFODNN7EXAMPLE", "ASIA…MPLE"),
        ("ASIA12345678WXYZ", "ASIA…WXYZ"),
        ("AKIAABCDEFGHIJKLWXYZ", "AKIA…WXYZ"),
        ("123456789", "1234…6789"),
        ("12345678", "********"),
        ("abc", "***"),
        ("", ""),
    ])
    func masks(_ id: String, _ masked: String) {
        #expect(Credentials.mask(id) == masked)
        let c = Credentials(accessKeyId: id, secretAccessKey: Secret("s"), sessionToken: Secret("t"), expiration: 0)
        #expect(c.maskedKeyId == masked)
    }

    @Test func maskShowsAtMostEightCharacters() {
        for length in 0...40 {
            let id = String((0..<length).map { Character(Unicode.Scalar(UInt8(65 + $0 % 26))) })
            let masked = Credentials.mask(id)
            #expect(masked.filter { $0 != "*" && $0 != "…" }.count <= min(8, max(0, length - 1)), "\(id) → \(masked)")
            if length > 8 { #expect(masked.hasPrefix(String(id.prefix(4))) && masked.hasSuffix(String(id.suffix(4)))) }
        }
    }
}
