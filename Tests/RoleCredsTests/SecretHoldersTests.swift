import Testing
@testable import RoleCreds

/// Every type that holds a secret prints it masked: description, interpolation, debugDescription, dump.
struct SecretHoldersTests {
    static let secret = "SECRETvalue0123456789abcdef"
    static let token = "TOKENvalue0123456789abcdef"
    static let credentials = Credentials(accessKeyId: "ASIAHOLDERTEST123456", secretAccessKey: Secret(secret),
                                         sessionToken: Secret(token), expiration: 1_900_000_000, accountId: "123456789012")

    func renderings(_ value: Any) -> [String] {
        var dumped = ""
        dump(value, to: &dumped)
        return ["\(value)", String(describing: value), String(reflecting: value), dumped]
    }

    func expectMasked(_ value: Any, _ label: String) {
        for text in renderings(value) {
            #expect(!text.contains(Self.secret) && !text.contains(Self.token), "\(label) printed a secret: \(text)")
            #expect(!text.contains("ASIAHOLDERTEST123456"), "\(label) printed the whole key id: \(text)")
        }
    }

    @Test func everyHolderIsMasked() throws {
        expectMasked(Secret(Self.secret), "Secret")
        expectMasked(Self.credentials, "Credentials")
        expectMasked(Optional(Self.credentials) as Any, "Optional<Credentials>")
        expectMasked([Self.credentials], "[Credentials]")
        expectMasked(Result<Credentials, CredentialError>.success(Self.credentials), "Result")
        expectMasked(ChildEnvironment.Supply.keys(Self.credentials), "Supply.keys")
        expectMasked(ChildEnvironment.Supply.endpoint(url: "http://127.0.0.1:1/credentials", token: Secret(Self.token), accountId: nil),
                     "Supply.endpoint")
        let container = ContainerConfig(url: HTTPURL(host: "127.0.0.1"), authorization: .token(Secret(Self.token)),
                                        timeoutMillis: 1000, attempts: 3)
        expectMasked(container, "ContainerConfig")
        expectMasked(Settings.Source.container(container), "Settings.Source")
        let endpoint = try CredentialEndpoint(credentials: Self.credentials)
        expectMasked(endpoint, "CredentialEndpoint")
        #expect(!renderings(endpoint).contains { $0.contains(endpoint.authorizationToken.reveal()) }, "endpoint token printed")
        expectMasked(ContainerProvider(config: container), "ContainerProvider")
    }

    @Test func errorsCarryNoSecret() {
        let body = Array(#"{"Code":"Success","AccessKeyId":"ASIAHOLDERTEST123456","SecretAccessKey":"SECRETvalue0123456789abcdef","Token":"TOKENvalue0123456789abcdef","Expiration":"2001-01-01T00:00:00Z"}"#.utf8)
        do {
            _ = try CredentialDocument.decode(body, now: 1_900_000_000)
            Issue.record("expired document accepted")
        } catch {
            expectMasked(error, "CredentialError")
            #expect(error.description.contains("expired"))
        }
    }
}
