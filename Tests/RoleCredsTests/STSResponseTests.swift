import Testing
@testable import RoleCreds

private let roleArn = "arn:aws:iam::123456789012:role/deploy"
private let webToken = "eyJhbGciOiJSUzI1NiJ9.WEBzIDENTITYzTOKEN.c2ln"

/// An STS success answer as STS writes it, with `credentials` as the inner XML of Credentials.
private func success(_ call: STSCall = .assumeRole, credentials: String? = nil,
                     arn: String = "arn:aws:sts::123456789012:assumed-role/deploy/with-role-creds-1717200000") -> [UInt8] {
    let inner = credentials ?? """
        <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
              <SecretAccessKey>\(Fixture.secret)</SecretAccessKey>
              <SessionToken>\(Fixture.token)</SessionToken>
              <Expiration>\(Fixture.expirationText)</Expiration>
        """
    let extra = call == .assumeRoleWithWebIdentity
        ? "<SubjectFromWebIdentityToken>system:serviceaccount:ns:sa</SubjectFromWebIdentityToken><Audience>sts.amazonaws.com</Audience><Provider>oidc.eks</Provider>" : ""
    return Array("""
        <\(call.rawValue)Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <\(call.rawValue)Result>
            \(extra)
            <AssumedRoleUser>
              <AssumedRoleId>AROA3XFRBF535PLBIFPI4:s3-access-example</AssumedRoleId>
              <Arn>\(arn)</Arn>
            </AssumedRoleUser>
            <Credentials>
              \(inner)
            </Credentials>
            <PackedPolicySize>6</PackedPolicySize>
          </\(call.rawValue)Result>
          <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
        </\(call.rawValue)Response>
        """.utf8)
}

private func errorBody(_ code: String, _ message: String) -> [UInt8] {
    Array("""
        <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <Error><Type>Sender</Type><Code>\(code)</Code><Message>\(message)</Message></Error>
          <RequestId>4fe3c6e5-7b1b-4c3c-8a3b-111111111111</RequestId>
        </ErrorResponse>
        """.utf8)
}

@Test("STS answers decode into credentials", arguments: [STSCall.assumeRole, .assumeRoleWithWebIdentity])
func stsSuccess(call: STSCall) throws {
    let c = try STSResponse.decode(call: call, roleArn: roleArn, status: 200, body: success(call), now: Fixture.now)
    #expect(c.accessKeyId == "ASIAIOSFODNN7EXAMPLE")
    #expect(c.secretAccessKey.reveal() == Fixture.secret)
    #expect(c.sessionToken.reveal() == Fixture.token)
    #expect(c.expiration == Fixture.expiration)
    #expect(c.accountId == "123456789012")
    #expect(c.roleArn == roleArn)
}

@Test("the account comes from the assumed-role ARN only when it is well formed", arguments: [
    ("arn:aws:sts::123456789012:assumed-role/r/s", "123456789012"),
    ("arn:aws-cn:sts::210987654321:assumed-role/r/s", "210987654321"),
    ("arn:aws:sts::12345678901:assumed-role/r/s", nil),
    ("arn:aws:sts::12345678901x:assumed-role/r/s", nil),
    ("nonsense", nil),
] as [(String, String?)])
func stsAccount(arn: String, account: String?) throws {
    #expect(STSResponse.accountId(fromArn: arn) == account)
    let c = try STSResponse.decode(call: .assumeRole, roleArn: roleArn, status: 200, body: success(arn: arn), now: Fixture.now)
    #expect(c.accountId == account)
}

struct STSFailure: Sendable, CustomTestStringConvertible {
    var name: String
    var status: Int
    var body: [UInt8]
    /// Parts the one-line message must contain.
    var says: [String]
    var transient: Bool
    var call: STSCall = .assumeRole
    var testDescription: String { name }
}

private let failures: [STSFailure] = [
    STSFailure(name: "AccessDenied", status: 403,
               body: errorBody("AccessDenied", "User: arn:aws:sts::111122223333:assumed-role/base/i-0 is not authorized to perform: sts:AssumeRole"),
               says: ["STS AssumeRole for \(roleArn) failed (HTTP 403): AccessDenied: User: arn:aws:sts::111122223333:assumed-role/base/i-0 is not authorized"],
               transient: false),
    STSFailure(name: "ExpiredToken", status: 400, body: errorBody("ExpiredToken", "The security token included in the request is expired"),
               says: ["ExpiredToken: The security token included in the request is expired"], transient: false),
    STSFailure(name: "InvalidIdentityToken", status: 400, body: errorBody("InvalidIdentityToken", "Incorrect token audience"),
               says: ["STS AssumeRoleWithWebIdentity for \(roleArn)", "InvalidIdentityToken: Incorrect token audience"], transient: false,
               call: .assumeRoleWithWebIdentity),
    STSFailure(name: "Throttling", status: 400, body: errorBody("Throttling", "Rate exceeded"), says: ["Throttling: Rate exceeded"], transient: true),
    STSFailure(name: "IDPCommunicationError", status: 400, body: errorBody("IDPCommunicationError", "could not reach the IdP"),
               says: ["IDPCommunicationError"], transient: true, call: .assumeRoleWithWebIdentity),
    STSFailure(name: "5xx with an error document", status: 500, body: errorBody("InternalFailure", "oops"), says: ["HTTP 500", "InternalFailure: oops"], transient: true),
    STSFailure(name: "5xx with HTML", status: 503, body: Array("<html><body>Service Unavailable".utf8), says: ["failed with HTTP 503 and an unreadable body"], transient: true),
    STSFailure(name: "429 without a body", status: 429, body: [], says: ["failed with HTTP 429"], transient: true),
    STSFailure(name: "404 with a well-formed non-error", status: 404, body: Array("<a/>".utf8), says: ["failed with HTTP 404"], transient: false),
    STSFailure(name: "error code without message", status: 400, body: Array("<ErrorResponse><Error><Code>ValidationError</Code></Error></ErrorResponse>".utf8),
               says: ["(HTTP 400): ValidationError"], transient: false),
    STSFailure(name: "error in another wrapper", status: 400, body: Array("<Response><Errors><Error><Code>Bad</Code><Message>m</Message></Error></Errors></Response>".utf8),
               says: ["Bad: m"], transient: false),
    STSFailure(name: "error element in a 200", status: 200, body: errorBody("Throttling", "slow down"), says: ["Throttling: slow down"], transient: true),
    STSFailure(name: "200 not XML", status: 200, body: Array("{\"json\": true}".utf8), says: ["the answer is not XML"], transient: false),
    STSFailure(name: "200 invalid UTF-8", status: 200, body: [0x3C, 0x61, 0x3E, 0xFF, 0x3C, 0x2F, 0x61, 0x3E], says: ["not valid UTF-8"], transient: false),
    STSFailure(name: "200 wrong result", status: 200, body: success(.assumeRoleWithWebIdentity), says: ["has no AssumeRoleResult"], transient: false),
    STSFailure(name: "200 without SessionToken", status: 200,
               body: success(credentials: "<AccessKeyId>ASIA1</AccessKeyId><SecretAccessKey>\(Fixture.secret)</SecretAccessKey><Expiration>\(Fixture.expirationText)</Expiration>"),
               says: ["has no Credentials/SessionToken"], transient: false),
    STSFailure(name: "200 empty AccessKeyId", status: 200,
               body: success(credentials: "<AccessKeyId> </AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>\(Fixture.expirationText)</Expiration>"),
               says: ["Credentials/AccessKeyId is empty"], transient: false),
    STSFailure(name: "200 bad Expiration", status: 200,
               body: success(credentials: "<AccessKeyId>ASIA1</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>tomorrow</Expiration>"),
               says: ["Expiration is not an RFC 3339 time"], transient: false),
    STSFailure(name: "200 expired", status: 200,
               body: success(credentials: "<AccessKeyId>ASIA1</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>2024-05-31T23:59:59Z</Expiration>"),
               says: ["expired at 2024-05-31T23:59:59Z"], transient: true),
    STSFailure(name: "200 key id with a space", status: 200,
               body: success(credentials: "<AccessKeyId>AS IA</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>\(Fixture.expirationText)</Expiration>"),
               says: ["AccessKeyId has invalid characters"], transient: false),
    STSFailure(name: "200 token with a control character", status: 200,
               body: success(credentials: "<AccessKeyId>ASIA1</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t&#9;u</SessionToken><Expiration>\(Fixture.expirationText)</Expiration>"),
               says: ["SessionToken has control characters"], transient: false),
]

@Test("STS failures: one line naming call, role, Code and Message; retryable only when it may help", arguments: failures)
func stsFailure(f: STSFailure) {
    do {
        _ = try STSResponse.decode(call: f.call, roleArn: roleArn, status: f.status, body: f.body, now: Fixture.now, hiding: [webToken])
        Issue.record("accepted")
    } catch {
        for part in f.says { #expect(error.description.contains(part), "\(error.description)") }
        #expect(error.description.hasPrefix("STS \(f.call.rawValue) for \(roleArn)"))
        #expect(!error.description.contains("\n"))
        #expect(error.isTransient == f.transient)
    }
}

@Test("an STS error never quotes the web identity token, a base secret or the answer's keys", arguments: [
    ("token in the message", errorBody("InvalidIdentityToken", "token \(webToken) is bad")),
    ("base secret in the message", errorBody("SignatureDoesNotMatch", "expected a signature made with \(Fixture.secret)")),
    ("answer's own keys in code and message", Array("""
        <ErrorResponse><Error><Code>X\(Fixture.token)</Code><Message>see SESSIONzTOKENzVALUE and WRONGzSECRETzKEY</Message></Error>
        <Credentials><SecretAccessKey>WRONGzSECRETzKEY</SecretAccessKey><SessionToken>SESSIONzTOKENzVALUE</SessionToken></Credentials>
        </ErrorResponse>
        """.utf8)),
    ("a secret split across Code and Message", Array("""
        <ErrorResponse><Error><Code>SPLITz</Code><Message>zSECRET</Message></Error>
        <Credentials><SecretAccessKey>SPLITz: zSECRET</SecretAccessKey></Credentials></ErrorResponse>
        """.utf8)),
] as [(String, [UInt8])])
func stsErrorRedacts(name: String, body: [UInt8]) {
    do {
        _ = try STSResponse.decode(call: .assumeRoleWithWebIdentity, roleArn: roleArn, status: 400, body: body, now: Fixture.now,
                                   hiding: [webToken, Fixture.secret, Fixture.token])
        Issue.record("accepted")
    } catch {
        for secret in [webToken, Fixture.secret, Fixture.token, "SESSIONzTOKENzVALUE", "WRONGzSECRETzKEY", "SPLITz: zSECRET"] {
            #expect(!error.description.contains(secret), "\(name): \(error.description)")
        }
        #expect(error.description.contains("<redacted>") || error.description.contains("quotes part of a secret"), "\(name)")
    }
}

@Test("an STS error Message quoting a secret changed (case, one character, split from the Code) is left out; the Code stays",
      arguments: [
        ("case changed", "InvalidIdentityToken", "bad token \(webToken.lowercased())", "InvalidIdentityToken (the message is not shown: it quotes part of a secret)"),
        ("one character off", "InvalidIdentityToken", "bad token \(String(webToken.map { $0 == "W" ? "V" : $0 }))",
         "InvalidIdentityToken (the message is not shown: it quotes part of a secret)"),
        ("split across Code and Message", "Bad\(webToken.prefix(8))", "\(webToken.dropFirst(8)) rejected",
         "Bad\(webToken.prefix(8)) (the message is not shown: it quotes part of a secret)"),
        ("a Code that quotes a secret", "X\(Fixture.secret.uppercased())", "m", "an error whose code quotes part of a secret"),
        ("no secret", "AccessDenied", "User is not authorized", "AccessDenied: User is not authorized"),
        ("11 characters in common are not a quote", "AccessDenied", "near \(webToken.prefix(11)) miss", "AccessDenied: near \(webToken.prefix(11)) miss"),
      ] as [(String, String, String, String)])
func stsErrorDetail(name: String, code: String, message: String, shown: String) {
    #expect(STSResponse.errorDetail(code: code, message: message, secrets: [webToken, Fixture.secret]) == shown, "\(name)")
}

@Test("retryable: Throttling, IDPCommunicationError, 429 and 5xx only", arguments: [
    (400, "Throttling", true), (400, "IDPCommunicationError", true), (500, nil, true), (503, "ServiceUnavailable", true),
    (429, nil, true), (400, "AccessDenied", false), (403, "AccessDenied", false), (400, "ExpiredToken", false),
    (400, "InvalidIdentityToken", false), (404, nil, false), (400, "throttling", false),
] as [(Int, String?, Bool)])
func stsRetryable(status: Int, code: String?, retry: Bool) {
    #expect(STSResponse.isRetryable(status: status, code: code) == retry)
}

/// Fuzz/corpus/NAME without its selector byte.
private func seed(_ name: String) throws -> [UInt8] {
    Array(try #require(readTestFile(testsDirectory + "/../../Fuzz/corpus/" + name)).dropFirst())
}

@Test("the STS seeds of the fuzz corpus reach the decoder as intended")
func stsFuzzSeeds() throws {
    let ok = try STSResponse.decode(call: .assumeRole, roleArn: FuzzOracle.roleArn, status: 200, body: seed("xml-assume-role"), now: FuzzOracle.now)
    #expect(ok.accountId == "123456789012")
    let web = try STSResponse.decode(call: .assumeRoleWithWebIdentity, roleArn: FuzzOracle.roleArn, status: 200, body: seed("xml-web-identity"), now: FuzzOracle.now)
    #expect(web.accessKeyId == "ASIAIOSFODNN7EXAMPLE")
    let odd = try STSResponse.decode(call: .assumeRole, roleArn: FuzzOracle.roleArn, status: 200, body: seed("xml-entities-cdata"), now: FuzzOracle.now)
    #expect(odd.accessKeyId == "ASIAA" && odd.secretAccessKey.reveal() == "s&cr<et>&<>\"'" && odd.sessionToken.reveal() == "token")
    #expect(throws: CredentialError.self) {
        try STSResponse.decode(call: .assumeRoleWithWebIdentity, roleArn: FuzzOracle.roleArn, status: 400, body: seed("xml-error-echoes-secrets"),
                               now: FuzzOracle.now, hiding: ["eyJhbGciOiJSUzI1NiJ9.WEBzTOKEN.sig"])
    }
}
