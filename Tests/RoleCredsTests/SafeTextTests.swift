import Testing
@testable import RoleCreds

/// Issue 16 #8: what does not print never reaches stderr or `--check` as it is.
@Suite("SafeText and quotable: non-printing characters")
struct SafeTextTests {
    /// Scalars a terminal or log tool would act on or hide, each escaped, never passed through.
    static let nonPrinting: [UInt32] = [
        0x00, 0x09, 0x0A, 0x0D, 0x1B, 0x7F,                     // C0, DEL
        0x80, 0x85, 0x8D, 0x9B, 0x9D, 0x9F,                     // C1: NEL, RI, CSI, OSC
        0x202A, 0x202B, 0x202C, 0x202D, 0x202E,                 // bidi embeddings and overrides
        0x2066, 0x2067, 0x2068, 0x2069,                         // bidi isolates
        0x200E, 0x200F, 0x061C,                                 // direction marks
        0x2028, 0x2029,                                         // line and paragraph separators
        0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD,         // zero-width and other format characters
        0xE0041, 0xFFF9, 0x0378,                                // a tag, an annotation, an unassigned code point
    ]

    @Test(arguments: nonPrinting)
    func isNonPrinting(_ value: UInt32) throws {
        let scalar = try #require(Unicode.Scalar(value))
        #expect(scalar.isNonPrinting)
    }

    @Test(arguments: [0x20, 0x41, 0x7E, 0xA0, 0xE9, 0x301, 0x3B1, 0x4E2D, 0x1F600, 0xFFFD, 0x2026] as [UInt32])
    func isPrinting(_ value: UInt32) throws {
        let scalar = try #require(Unicode.Scalar(value))
        #expect(!scalar.isNonPrinting)
    }

    /// Through `quotable` (error messages) and `Log.line` (every line on stderr): nothing non-printing is
    /// left but the line's own newline, and the text around it survives.
    @Test(arguments: nonPrinting)
    func neverPassesThrough(_ value: UInt32) throws {
        let scalar = try #require(Unicode.Scalar(value))
        let text = "before" + String(Character(scalar)) + "after"
        let quoted = text.quotable(registry: SecretRegistry())
        #expect(!quoted.unicodeScalars.contains(scalar), "\(quoted.debugDescription)")
        #expect(!quoted.unicodeScalars.contains { $0.isNonPrinting }, "\(quoted.debugDescription)")
        #expect(quoted.hasPrefix("before") && quoted.hasSuffix("after"))
        let line = Log.line(text, registry: SecretRegistry())
        #expect(!line.dropLast().unicodeScalars.contains(scalar), "\(line.debugDescription)")
        #expect(!line.dropLast().unicodeScalars.contains { $0.isNonPrinting }, "\(line.debugDescription)")
        #expect(line.hasSuffix("after\n"))
    }

    @Test(arguments: [
        ("a\u{9B}31mb", "a\\x9b31mb", "a\\x9b31mb"),
        ("line\u{85}forged", "line\\x85forged", "line\\x85forged"),
        ("role/\u{202E}nimda", "role/\\u{202E}nimda", "role/\\u{202E}nimda"),
        ("a\u{2066}b\u{2069}c", "a\\u{2066}b\\u{2069}c", "a\\u{2066}b\\u{2069}c"),
        ("one\u{2028}two", "one\\u{2028}two", "one\\u{2028}two"),
        ("tab\there", "tab here", "tab\\x09here"),
        ("esc\u{1B}[2J", "esc [2J", "esc\\x1b[2J"),
        ("caf\u{E9} \u{4E2D}", "caf\u{E9} \u{4E2D}", "caf\u{E9} \u{4E2D}"),
    ])
    func shownAs(_ text: String, _ quoted: String, _ logged: String) {
        #expect(text.quotable(registry: SecretRegistry()) == quoted)
        #expect(Log.line(text, registry: SecretRegistry()) == "with-role-creds: \(logged)\n")
    }

    /// An endpoint's `Message` and a role ARN with U+009B, U+0085 and U+202E.
    @Test func endpointMessageIsEscaped() throws {
        let body = JSON.encode([("Code", "Denied"), ("Message", "denied\u{85}with-role-creds: ok \u{9B}2J \u{202E}txt.exe")])
        let error = try #require(throws: CredentialError.self) { try CredentialDocument.decode(Array(body.utf8), now: FuzzOracle.now) }
        #expect(error.description == "metadata service answered Code Denied: denied\\x85with-role-creds: ok \\x9b2J \\u{202E}txt.exe")
        #expect(!Log.line(error.description).dropLast().unicodeScalars.contains { $0.isNonPrinting })
    }

    @Test(arguments: ["\u{9B}", "\u{85}", "\u{202E}", "\u{2028}", "\u{200F}"])
    func roleArnWithNonPrintingIsDropped(_ bad: String) throws {
        let document = JSON.encode([("AccessKeyId", "ASIAEXAMPLE"), ("SecretAccessKey", "SECRETSECRET"), ("Token", "TOKENTOKEN"),
                                    ("Expiration", "2030-01-01T00:00:00Z"), ("RoleArn", "arn:aws:iam::123456789012:role/a\(bad)b")])
        let credentials = try CredentialDocument.decode(Array(document.utf8), now: FuzzOracle.now)
        #expect(credentials.roleArn == nil)
    }
}

/// Issue 16 #6: a message that quotes a secret the launcher holds or has held is redacted, wherever it
/// was built.
@Suite("SecretRegistry")
struct SecretRegistryTests {
    @Test func messageQuotingAHeldTokenIsRedacted() {
        let registry = SecretRegistry()
        let token = "IQoJb3JpZ2luX2VjEHeldTokenForRegistryTest0001"
        registry.remember(token)
        let message = "metadata service answered 429: slow down, token \(token) is throttled"
        #expect(message.quotable(registry: registry) == "metadata service answered 429: slow down, token <redacted> is throttled")
        #expect(Log.line(message, registry: registry) == "with-role-creds: metadata service answered 429: slow down, token <redacted> is throttled\n")
    }

    /// Every `Secret` registers itself: the token of an earlier rotation is still hidden, with no
    /// `hiding:` list, through the shared registry that `quotable` and `Log` use by default.
    @Test func everySecretIsRegistered() {
        let old = Secret("wJalrXUtnFEMI/K7MDENG/OldRotationSecret0002")
        _ = Secret("wJalrXUtnFEMI/K7MDENG/NewRotationSecret0002")
        #expect(SecretRegistry.shared.contains(old.reveal()))
        let message = "Message: the key \(old.reveal()) was revoked"
        #expect(message.quotable() == "Message: the key <redacted> was revoked")
        #expect(Log.line(message) == "with-role-creds: Message: the key <redacted> was revoked\n")
    }

    /// Written with a control character or cut by the length limit, a secret is still hidden whole.
    @Test(arguments: [
        ("x TOKEN\nPART-0003 y", "x <redacted> y"),
        ("TOKEN PART-0003TOKEN PART-0003", "<redacted><redacted>"),
        ("TOKEN PART-000", "TOKEN PART-000"),
    ])
    func variants(_ message: String, _ expected: String) {
        let registry = SecretRegistry()
        registry.remember("TOKEN PART-0003")
        #expect(message.quotable(registry: registry) == expected)
    }

    @Test func straddlesTheLimit() {
        let registry = SecretRegistry()
        let token = String(repeating: "T", count: 40)
        registry.remember(token)
        #expect((String(repeating: "m", count: 150) + token).quotable(registry: registry) == String(repeating: "m", count: 150) + "<redacted>")
    }

    @Test func theLongestSecretWins() {
        let registry = SecretRegistry()
        registry.remember("ABCDEFGHIJ")
        registry.remember("ABCDEFGHIJKLMNOP")
        #expect(registry.redact("ABCDEFGHIJKLMNOP") == "<redacted>")
        #expect(registry.redact("ABCDEFGHIJKL") == "<redacted>KL")
    }

    @Test func shortValuesAreNotRegistered() {
        let registry = SecretRegistry()
        registry.remember("")
        registry.remember("1234567")
        #expect(registry.secrets.isEmpty)
        #expect(registry.redact("1234567") == "1234567")
    }

    /// Bounded: the newest `capacity` are kept; registering one again makes it the newest.
    @Test func keepsTheNewest() {
        let registry = SecretRegistry(capacity: 4)
        for n in 0..<10 { registry.remember("secret-number-\(n)") }
        #expect(registry.secrets.count == 4)
        #expect(!registry.contains("secret-number-5"))
        #expect(registry.contains("secret-number-6") && registry.contains("secret-number-9"))
        registry.remember("secret-number-6")
        registry.remember("secret-number-10")
        #expect(registry.contains("secret-number-6"))
        #expect(!registry.contains("secret-number-7"))
        #expect(SecretRegistry.shared.capacity == 32)
    }

    /// The refresh thread registers while the event loop logs: no lost update, no crash.
    @Test(.timeLimit(.minutes(1))) func concurrentUse() async {
        let registry = SecretRegistry(capacity: 1000)
        await withTaskGroup(of: Void.self) { group in
            for t in 0..<4 {
                group.addTask {
                    for n in 0..<100 {
                        registry.remember("thread-\(t)-secret-\(n)")
                        _ = registry.redact("a message quoting thread-\(t)-secret-\(n)")
                    }
                }
            }
        }
        #expect(registry.secrets.count == 400)
    }
}
