import Testing
@testable import RoleCreds

private func parse(_ text: String) throws(JSONError) -> JSON { try JSON.parse(Array(text.utf8)) }

/// `n` arrays nested in each other, with `inner` in the innermost one.
private func nestedArrays(_ n: Int, inner: String = "") -> String {
    String(repeating: "[", count: n) + inner + String(repeating: "]", count: n)
}

/// `n` objects nested in each other, with `inner` as the innermost member's value (or an empty object).
private func nestedObjects(_ n: Int, inner: String? = nil) -> String {
    guard let inner else { return String(repeating: "{\"a\":", count: n - 1) + "{}" + String(repeating: "}", count: n - 1) }
    return String(repeating: "{\"a\":", count: n) + inner + String(repeating: "}", count: n)
}

@Suite("JSON.parse")
struct JSONParseTests {
    @Test(arguments: [
        ("{}", JSON.object([])),
        ("[]", .array([])),
        ("\"x\"", .string("x")),
        ("\"\"", .string("")),
        ("true", .bool(true)),
        ("false", .bool(false)),
        ("null", .null),
        ("0", .number("0")),
        ("-0", .number("-0")),
        ("123", .number("123")),
        ("-1.5e+10", .number("-1.5e+10")),
        ("1E5", .number("1E5")),
        ("0.5", .number("0.5")),
        ("2e-3", .number("2e-3")),
        ("12345678901234567890123", .number("12345678901234567890123")),
        (" \t\n\r {\"a\" : 1 } \n", .object([("a", .number("1"))])),
        ("{\"a\":[1,\"b\",{\"c\":null}],\"d\":true}",
         .object([("a", .array([.number("1"), .string("b"), .object([("c", .null)])])), ("d", .bool(true))])),
        ("[ 1 , [ ] , { } ]", .array([.number("1"), .array([]), .object([])])),
        // escapes
        ("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", .string("\"\\/\u{8}\u{C}\n\r\t")),
        ("\"\\u0041\"", .string("A")),
        ("\"\\u00e9\\u00E9\"", .string("éé")),
        ("\"\\u20AC\"", .string("€")),
        ("\"\\u0000\"", .string("\u{0}")),
        ("\"\\uFFFF\"", .string("\u{FFFF}")),
        // surrogate pairs
        ("\"\\ud83d\\ude00\"", .string("😀")),
        ("\"\\uD834\\uDD1E\"", .string("𝄞")),
        ("\"\\uDBFF\\uDFFF\"", .string("\u{10FFFF}")),
        ("\"a\\ud83d\\ude00b\"", .string("a😀b")),
        // raw UTF-8
        ("\"héllo 😀 日本\"", .string("héllo 😀 日本")),
        ("\"\u{7F}\"", .string("\u{7F}")),
    ])
    func parses(_ text: String, _ expected: JSON) throws {
        #expect(try parse(text) == expected)
    }

    @Test func lastMemberWins() throws {
        let json = try parse("{\"a\":1,\"b\":2,\"a\":3}")
        #expect(json["a"] == .number("3"))
        #expect(json["b"] == .number("2"))
        #expect(json["c"] == nil)
        #expect(JSON.array([])["a"] == nil)
        #expect(JSON.string("a")["a"] == nil)
    }

    @Test(arguments: [
        ("", "unexpected end"),
        ("   ", "unexpected end"),
        ("{", "expected a member name"),
        ("{\"a\"}", "expected ':'"),
        ("{\"a\":}", "unexpected character"),
        ("{\"a\":1,}", "expected a member name"),
        ("{\"a\":1 \"b\":2}", "expected ',' or '}'"),
        ("{\"a\":1", "unexpected end"),
        ("{a:1}", "expected a member name"),
        ("{'a':1}", "expected a member name"),
        ("{1:1}", "expected a member name"),
        ("[1,]", "unexpected character"),
        ("[,1]", "unexpected character"),
        ("[1 2]", "expected ',' or ']'"),
        ("[1", "unexpected end"),
        ("[", "unexpected end"),
        ("'x'", "unexpected character"),
        ("tru", "bad literal"),
        ("nul", "bad literal"),
        ("falsy", "bad literal"),
        ("True", "unexpected character"),
        ("NaN", "unexpected character"),
        ("Infinity", "unexpected character"),
        ("-Infinity", "bad number"),
        ("undefined", "unexpected character"),
        // numbers
        ("-", "bad number"),
        ("1.", "bad number"),
        ("1.e5", "bad number"),
        (".5", "unexpected character"),
        ("1e", "bad number"),
        ("1e+", "bad number"),
        ("+1", "unexpected character"),
        ("-a", "bad number"),
        ("01", "unexpected text after the JSON value"),
        ("0x10", "unexpected text after the JSON value"),
        ("1_000", "unexpected text after the JSON value"),
        // trailing garbage
        ("{} x", "unexpected text after the JSON value"),
        ("{}{}", "unexpected text after the JSON value"),
        ("\"a\" \"b\"", "unexpected text after the JSON value"),
        ("1 2", "unexpected text after the JSON value"),
        ("null,", "unexpected text after the JSON value"),
        ("[]]", "unexpected text after the JSON value"),
        ("{}\u{0}", "unexpected text after the JSON value"),
        // strings
        ("\"abc", "unterminated string"),
        ("\"\\", "unterminated string"),
        ("\"a\\x\"", "bad escape"),
        ("\"\\U0041\"", "bad escape"),
        ("\"\\'\"", "bad escape"),
        ("\"\\u12\"", "bad \\u escape"),
        ("\"\\u12", "bad \\u escape"),
        ("\"\\u12G4\"", "bad \\u escape"),
        ("\"\\u-123\"", "bad \\u escape"),
        ("\"a\tb\"", "control character in string"),
        ("\"a\nb\"", "control character in string"),
        ("\"\u{0}\"", "control character in string"),
        // lone surrogates
        ("\"\\ud800\"", "lone surrogate"),
        ("\"\\ud800x\"", "lone surrogate"),
        ("\"\\ud800\\u0041\"", "lone surrogate"),
        ("\"\\ud800\\ud800\"", "lone surrogate"),
        ("\"\\ud800\\n\"", "lone surrogate"),
        ("\"\\udc00\"", "lone surrogate"),
        ("\"\\uDFFF\\uD800\"", "lone surrogate"),
        ("\"\\ud83d\"", "lone surrogate"),
        ("\"\\ud800\\uZZZZ\"", "bad \\u escape"),
    ])
    func refuses(_ text: String, _ message: String) {
        #expect(throws: JSONError(message)) { try parse(text) }
    }

    @Test(arguments: [
        ("byte FF in a string", [0x22, 0xFF, 0x22]),
        ("overlong NUL", [0x22, 0xC0, 0x80, 0x22]),
        ("overlong slash", [0x22, 0xC0, 0xAF, 0x22]),
        ("truncated sequence", [0x22, 0xE2, 0x82, 0x22]),
        ("lone continuation byte", [0x22, 0x61, 0x80, 0x22]),
        ("UTF-8-encoded surrogate", [0x22, 0xED, 0xA0, 0x80, 0x22]),
        ("beyond U+10FFFF", [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22]),
        ("Latin-1 é", [0x22, 0x63, 0x61, 0x66, 0xE9, 0x22]),
        ("invalid in a member name", [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D]),
    ] as [(String, [UInt8])])
    func refusesInvalidUTF8InStrings(_ name: String, _ input: [UInt8]) {
        #expect(throws: JSONError("string is not UTF-8")) { try JSON.parse(input) }
    }

    @Test(arguments: [[0xFF] as [UInt8], [0xEF, 0xBB, 0xBF, 0x7B, 0x7D], [0x5B, 0xFF, 0x5D]])
    func refusesInvalidBytesOutsideStrings(_ input: [UInt8]) {
        #expect(throws: JSONError("unexpected character")) { try JSON.parse(input) }
    }

    // MARK: nesting: 32 levels of arrays or objects are accepted, whatever the innermost one holds; 33 are not.

    @Test(arguments: ["", "1", "\"s\"", "null", "true"])
    func thirtyTwoLevelsOfArrays(_ inner: String) throws {
        let text = nestedArrays(JSON.maxDepth, inner: inner)
        var value = try parse(text)
        var depth = 0
        while case .array(let items) = value {
            depth += 1
            guard let first = items.first else { break }
            value = first
        }
        #expect(depth == 32)
    }

    @Test(arguments: ["", "1", "[]", "{}"])
    func thirtyThreeLevelsOfArrays(_ inner: String) {
        #expect(throws: JSONError("nested too deeply")) { try parse(nestedArrays(JSON.maxDepth + 1, inner: inner)) }
    }

    @Test func thirtyTwoLevelsOfObjects() throws {
        _ = try parse(nestedObjects(32))
        _ = try parse(nestedObjects(32, inner: "\"v\""))
        _ = try parse(nestedObjects(31, inner: "[]"))
        #expect(throws: JSONError("nested too deeply")) { try parse(nestedObjects(33)) }
        #expect(throws: JSONError("nested too deeply")) { try parse(nestedObjects(32, inner: "[]")) }
        #expect(throws: JSONError("nested too deeply")) { try parse(nestedObjects(32, inner: "{}")) }
    }

    @Test func mixedNesting() throws {
        let thirtyTwo = String(repeating: "[{\"k\":", count: 16) + "0" + String(repeating: "}]", count: 16)
        _ = try parse(thirtyTwo)
        let thirtyThree = "[" + thirtyTwo + "]"
        #expect(throws: JSONError("nested too deeply")) { try parse(thirtyThree) }
    }

    /// Hostile depth is an error, not a stack overflow.
    @Test(arguments: [10_000, 1_000_000])
    func hostileDepth(_ n: Int) {
        #expect(throws: JSONError("nested too deeply")) { try parse(String(repeating: "[", count: n)) }
        #expect(throws: JSONError("nested too deeply")) { try parse(String(repeating: "{\"a\":", count: n)) }
    }
}

@Suite("JSON.encode and quote")
struct JSONEncodeTests {
    @Test(arguments: [
        ("plain", "\"plain\""),
        ("", "\"\""),
        ("a\"b", "\"a\\\"b\""),
        ("back\\slash", "\"back\\\\slash\""),
        ("line\nfeed\rtab\t", "\"line\\nfeed\\rtab\\t\""),
        ("\u{0}", "\"\\u0000\""),
        ("\u{1}\u{1F}", "\"\\u0001\\u001f\""),
        ("\u{8}\u{C}", "\"\\u0008\\u000c\""),
        ("é😀", "\"é😀\""),
        ("/", "\"/\""),
        ("\u{7F}", "\"\u{7F}\""),
    ])
    func quotes(_ text: String, _ literal: String) throws {
        #expect(JSON.quote(text) == literal)
        #expect(try parse(literal) == .string(text))
    }

    static let roundTrip: [String] = [
        "", "ASIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "IQoJb3JpZ2luX2VjEJr//////////wEaCXVz+/=",
        "quote \" backslash \\ slash /", "😀𝄞\u{10FFFF}", "\r\n", "\u{2028}\u{2029}", "e\u{301}",
        String((0..<0x20).map { Character(Unicode.Scalar($0)!) }),
        String(repeating: "x", count: 5000),
    ]

    @Test(arguments: roundTrip)
    func quoteRoundTrips(_ text: String) throws {
        let literal = JSON.quote(text)
        #expect(!literal.unicodeScalars.dropFirst().dropLast().contains { $0.value < 0x20 }, "raw control character")
        #expect(try parse(literal) == .string(text))
    }

    @Test func encodesObjects() throws {
        #expect(JSON.encode([]) == "{}")
        #expect(JSON.encode([("a", "1"), ("b", "x\"y")]) == "{\"a\":\"1\",\"b\":\"x\\\"y\"}")
        let members = Self.roundTrip.enumerated().map { ("key\($0.offset)\n\u{1}", $0.element) }
        let parsed = try parse(JSON.encode(members))
        #expect(parsed == .object(members.map { ($0.0, JSON.string($0.1)) }))
    }

    @Test func equality() {
        #expect(JSON.object([("a", .null)]) != .object([("b", .null)]))
        #expect(JSON.object([("a", .null)]) != .object([("a", .null), ("a", .null)]))
        #expect(JSON.number("1") != .number("1.0"))
        #expect(JSON.bool(true) != .string("true"))
        #expect(JSON.array([.null]) == .array([.null]))
    }
}
