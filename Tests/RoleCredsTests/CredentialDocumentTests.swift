import Testing
@testable import RoleCreds

/// Values that must never appear in an error message or a description.
enum Fixture {
    static let keyId = "ASIAIOSFODNN7EXAMPLE"
    static let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzSECRETzKEY"
    static let token = "IQoJb3JpZ2luX2VjEJr//TOKENzSESSIONzVALUE+ZZZ=="
    /// 2024-06-01T00:00:00Z
    static let now: Int64 = 1_717_200_000
    /// 2024-06-01T06:00:00Z
    static let expiration: Int64 = 1_717_221_600
    static let expirationText = "2024-06-01T06:00:00Z"

    static let credentials = Credentials(accessKeyId: keyId, secretAccessKey: Secret(secret), sessionToken: Secret(token),
                                         expiration: expiration, accountId: "123456789012")
}

/// A credential document with `members` (JSON text per field), in order.
private func document(_ members: [(String, String)]) -> [UInt8] {
    Array(("{" + members.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ",\n") + "}").utf8)
}

/// The fields of a valid IMDS document, as JSON texts.
private let imdsMembers: [(String, String)] = [
    ("Code", "\"Success\""),
    ("LastUpdated", "\"2024-06-01T00:00:00Z\""),
    ("Type", "\"AWS-HMAC\""),
    ("AccessKeyId", "\"\(Fixture.keyId)\""),
    ("SecretAccessKey", "\"\(Fixture.secret)\""),
    ("Token", "\"\(Fixture.token)\""),
    ("Expiration", "\"\(Fixture.expirationText)\""),
]

private func replacing(_ name: String, with value: String?) -> [(String, String)] {
    imdsMembers.compactMap { $0.0 == name ? value.map { (name, $0) } : $0 }
}

struct BadDocument: Sendable, CustomTestStringConvertible {
    let name: String
    let body: [UInt8]
    let fragment: String
    init(_ name: String, _ body: [UInt8], _ fragment: String) { self.name = name; self.body = body; self.fragment = fragment }
    var testDescription: String { name }
}

@Suite("CredentialDocument.decode")
struct CredentialDocumentTests {
    @Test func decodesAnIMDSDocument() throws {
        let c = try CredentialDocument.decode(document(imdsMembers), now: Fixture.now)
        #expect(c.accessKeyId == Fixture.keyId)
        #expect(c.secretAccessKey.reveal() == Fixture.secret)
        #expect(c.sessionToken.reveal() == Fixture.token)
        #expect(c.expiration == Fixture.expiration)
        #expect(c.accountId == nil)
        #expect(c.roleArn == nil)
    }

    @Test func decodesAnExtendedIMDSDocument() throws {
        let c = try CredentialDocument.decode(document(imdsMembers + [("AccountId", "\"123456789012\"")]), now: Fixture.now)
        #expect(c.accountId == "123456789012")
    }

    @Test func decodesAContainerDocument() throws {
        // ECS / EKS Pod Identity shape: no Code, a RoleArn, Expiration with a fraction
        let body = document([
            ("AccessKeyId", "\"\(Fixture.keyId)\""), ("Expiration", "\"2024-06-01T06:00:00.000Z\""),
            ("RoleArn", "\"arn:aws:iam::123456789012:role/task-role\""),
            ("SecretAccessKey", "\"\(Fixture.secret)\""), ("Token", "\"\(Fixture.token)\""),
        ])
        let c = try CredentialDocument.decode(body, now: Fixture.now)
        #expect(c.accountId == "123456789012")
        #expect(c.roleArn == "arn:aws:iam::123456789012:role/task-role")
        #expect(c.expiration == Fixture.expiration)
        #expect(c.secretAccessKey.reveal() == Fixture.secret)
    }

    @Test(arguments: [
        // (AccountId JSON or nil, RoleArn JSON or nil, expected account, expected RoleArn)
        (nil, "\"arn:aws-us-gov:iam::210987654321:role/x\"", "210987654321", "arn:aws-us-gov:iam::210987654321:role/x"),
        ("\"123456789012\"", "\"arn:aws:iam::210987654321:role/x\"", "123456789012", "arn:aws:iam::210987654321:role/x"),
        ("\"12345\"", "\"arn:aws:iam::210987654321:role/x\"", "210987654321", "arn:aws:iam::210987654321:role/x"),
        ("\"12345678901a\"", nil, nil, nil),
        ("\"\"", nil, nil, nil),
        ("42", nil, nil, nil),
        (nil, "\"arn:aws:iam::12345:role/x\"", nil, "arn:aws:iam::12345:role/x"),
        (nil, "\"arn:aws:iam::\"", nil, "arn:aws:iam::"),
        (nil, "\"role/x\"", nil, nil),
        (nil, "\"arn:aws:iam::123456789012:role/a\\nb\"", nil, nil),
    ] as [(String?, String?, String?, String?)])
    func accountAndRoleArn(_ account: String?, _ arn: String?, _ expectedAccount: String?, _ expectedArn: String?) throws {
        var members = imdsMembers
        if let account { members.append(("AccountId", account)) }
        if let arn { members.append(("RoleArn", arn)) }
        let c = try CredentialDocument.decode(document(members), now: Fixture.now)
        #expect(c.accountId == expectedAccount)
        #expect(c.roleArn == expectedArn)
    }

    @Test(arguments: [
        ("2024-06-01T08:00:00+02:00", Fixture.expiration),
        ("2024-06-01T06:00:00.123456Z", Fixture.expiration),
        ("2024-06-01T00:00:01Z", Fixture.now + 1),
    ] as [(String, Int64)])
    func expirationForms(_ text: String, _ seconds: Int64) throws {
        let c = try CredentialDocument.decode(document(replacing("Expiration", with: "\"\(text)\"")), now: Fixture.now)
        #expect(c.expiration == seconds)
    }

    @Test func encodeRoundTrips() throws {
        let text = CredentialDocument.encode(Fixture.credentials)
        #expect(try CredentialDocument.decode(Array(text.utf8), now: Fixture.now) == Fixture.credentials)
        var noAccount = Fixture.credentials
        noAccount.accountId = nil
        let plain = CredentialDocument.encode(noAccount)
        #expect(!plain.contains("AccountId"))
        #expect(try CredentialDocument.decode(Array(plain.utf8), now: Fixture.now) == noAccount)
        #expect(try JSON.parse(Array(text.utf8))["Expiration"] == .string(Fixture.expirationText))
    }

    static var badDocuments: [BadDocument] {
        var cases: [BadDocument] = [
            BadDocument("Code Failure with Message",
                        document(replacing("Code", with: "\"AssumeRoleUnauthorizedAccess\"") + [("Message", "\"Access denied\"")]),
                        "metadata service answered Code AssumeRoleUnauthorizedAccess: Access denied"),
            BadDocument("Code Failure without Message", document(replacing("Code", with: "\"Failure\"")),
                        "metadata service answered Code Failure"),
            BadDocument("Code with a line break", document(replacing("Code", with: "\"Bad\\nCode\"")),
                        "metadata service answered Code Bad Code"),
            BadDocument("Code in lower case", document(replacing("Code", with: "\"success\"")), "answered Code success"),
            BadDocument("Code a number", document(replacing("Code", with: "1")), "field Code is not a string"),
            BadDocument("Code null", document(replacing("Code", with: "null")), "field Code is not a string"),
            BadDocument("Expiration not a time", document(replacing("Expiration", with: "\"tomorrow\"")),
                        "field Expiration is not an RFC 3339 time"),
            BadDocument("Expiration a date only", document(replacing("Expiration", with: "\"2024-06-02\"")),
                        "field Expiration is not an RFC 3339 time"),
            BadDocument("Expiration impossible date", document(replacing("Expiration", with: "\"2024-02-30T00:00:00Z\"")),
                        "field Expiration is not an RFC 3339 time"),
            BadDocument("Expiration in the past", document(replacing("Expiration", with: "\"2024-05-31T23:59:59Z\"")),
                        "expired at 2024-05-31T23:59:59Z"),
            BadDocument("Expiration right now", document(replacing("Expiration", with: "\"2024-06-01T00:00:00Z\"")),
                        "expired at 2024-06-01T00:00:00Z"),
            BadDocument("Expiration long ago", document(replacing("Expiration", with: "\"1970-01-01T00:00:00Z\"")),
                        "expired at 1970-01-01T00:00:00Z"),
            BadDocument("AccessKeyId with a space", document(replacing("AccessKeyId", with: "\"ASIA EXAMPLE\"")),
                        "field AccessKeyId has invalid characters"),
            BadDocument("AccessKeyId with non-ASCII", document(replacing("AccessKeyId", with: "\"ASIAÉ\"")),
                        "field AccessKeyId has invalid characters"),
            BadDocument("AccessKeyId too long", document(replacing("AccessKeyId", with: "\"" + String(repeating: "A", count: 129) + "\"")),
                        "field AccessKeyId has invalid characters"),
            BadDocument("SecretAccessKey with a control character",
                        document(replacing("SecretAccessKey", with: "\"\(Fixture.secret)\\u0001\"")),
                        "field SecretAccessKey has control characters"),
            BadDocument("Token with a line break", document(replacing("Token", with: "\"\(Fixture.token)\\n\"")),
                        "field Token has control characters"),
            BadDocument("invalid UTF-8 in the secret",
                        Array("{\"AccessKeyId\":\"\(Fixture.keyId)\",\"SecretAccessKey\":\"\(Fixture.secret)".utf8) + [0xFF]
                            + Array("\",\"Token\":\"\(Fixture.token)\",\"Expiration\":\"\(Fixture.expirationText)\"}".utf8),
                        "credential document is not valid UTF-8"),
            BadDocument("invalid UTF-8 outside strings", document(imdsMembers) + [0xC0], "credential document is not valid UTF-8"),
            BadDocument("not JSON", Array("<html><body>\(Fixture.secret)</body></html>".utf8), "credential document is not valid JSON"),
            BadDocument("empty body", [], "credential document is not valid JSON"),
            BadDocument("truncated in the secret",
                        Array(String(decoding: document(imdsMembers), as: UTF8.self).prefix(150).utf8),
                        "credential document is not valid JSON"),
            BadDocument("trailing garbage", document(imdsMembers) + Array(" \(Fixture.secret)".utf8), "credential document is not valid JSON"),
            BadDocument("nested too deeply", Array((String(repeating: "[", count: 40) + "\"\(Fixture.secret)\"").utf8),
                        "credential document is not valid JSON"),
            BadDocument("an array", Array("[\"\(Fixture.secret)\", \"\(Fixture.token)\"]".utf8), "credential document is not a JSON object"),
            BadDocument("a string", Array("\"\(Fixture.secret)\"".utf8), "credential document is not a JSON object"),
            BadDocument("null", Array("null".utf8), "credential document is not a JSON object"),
            BadDocument("a number", Array("42".utf8), "credential document is not a JSON object"),
            BadDocument("empty object", Array("{}".utf8), "credential document has no AccessKeyId"),
        ]
        for field in ["AccessKeyId", "SecretAccessKey", "Token", "Expiration"] {
            cases.append(BadDocument("\(field) missing", document(replacing(field, with: nil)), "credential document has no \(field)"))
            cases.append(BadDocument("\(field) empty", document(replacing(field, with: "\"\"")), "field \(field) is empty"))
            for (kind, json) in [("number", "12345"), ("null", "null"), ("bool", "true"), ("object", "{\"v\":\"\(Fixture.secret)\"}"),
                                 ("array", "[\"\(Fixture.token)\"]")] {
                cases.append(BadDocument("\(field) a \(kind)", document(replacing(field, with: json)), "field \(field) is not a string"))
            }
        }
        return cases
    }

    @Test(arguments: badDocuments)
    func refuses(_ c: BadDocument) {
        do {
            let credentials = try CredentialDocument.decode(c.body, now: Fixture.now)
            Issue.record("accepted: \(credentials)")
        } catch {
            #expect(error.description.contains(c.fragment), "\(error.description)")
            #expect(!error.description.contains(Fixture.secret), "the secret leaked into the message")
            #expect(!error.description.contains(Fixture.token), "the token leaked into the message")
            // not even a recognisable piece of them
            #expect(!error.description.contains("wJalrXUtnFEM") && !error.description.contains("SECRETzKEY"))
            #expect(!error.description.contains("IQoJb3JpZ2lu") && !error.description.contains("TOKENzSESSION"))
            #expect(!error.description.unicodeScalars.contains { $0.value < 0x20 }, "not one line")
        }
    }

    @Test func codeOtherThanSuccessIsTransientAndQuoted() {
        let long = String(repeating: "m", count: 500)
        let body = document(replacing("Code", with: "\"Throttled\"") + [("Message", "\"\(long)\"")])
        do {
            _ = try CredentialDocument.decode(body, now: Fixture.now)
            Issue.record("accepted")
        } catch {
            #expect(error.isTransient)
            #expect(error.description.count < 300, "server text is bounded")
            #expect(error.description.contains("Throttled"))
            #expect(!error.description.contains(Fixture.secret) && !error.description.contains(Fixture.token))
        }
    }

    @Test func expiredIsTransientAndMalformedIsNot() {
        #expect(throws: CredentialError("credentials from the metadata service expired at 2024-06-01T00:00:00Z", transient: true)) {
            try CredentialDocument.decode(document(replacing("Expiration", with: "\"2024-06-01T00:00:00Z\"")), now: Fixture.now)
        }
        #expect(throws: CredentialError("credential document has no Token")) {
            try CredentialDocument.decode(document(replacing("Token", with: nil)), now: Fixture.now)
        }
    }
}
