import Testing
@testable import RoleCreds

@Suite struct ByteSearchTests {
    @Test(arguments: [
        ("http://proxy:3128", "://", "http"),       // found: the text before it
        ("abc://", "://", "abc"),                  // at the very end
        ("://x", "://", ""),                       // at the start
        ("abc", "", ""),                           // an empty needle is found at the start
    ])
    func foundAt(text: String, needle: String, before: String) {
        let text = Substring(text)
        guard let range = text.firstByteRange(of: needle) else { Issue.record("not found"); return }
        #expect(String(text[..<range.lowerBound]) == before)
        #expect(String(text[range]) == needle)
    }

    @Test(arguments: [("abc", "abcd"), ("ab:/c", "://"), ("", "x"), ("e\u{301}", "\u{301}x")])
    func notFound(text: String, needle: String) {
        #expect(Substring(text).firstByteRange(of: needle) == nil)
        #expect(!Substring(text).containsBytes(of: needle))
    }

    /// Bytes, not characters: a combining mark cannot hide a secret inside a grapheme.
    @Test func matchesInsideAGrapheme() {
        #expect(Substring("arn:e\u{301}SECRET").containsBytes(of: "\u{301}SECRET"))
        #expect(Substring("xSECRET\u{301}").containsBytes(of: "SECRET"))
    }
}
