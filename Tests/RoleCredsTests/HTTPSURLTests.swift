import Testing
@testable import RoleCreds

@Suite("HTTPURL with https")
struct HTTPSURLTests {
    @Test(arguments: [
        ("https://sts.us-east-1.amazonaws.com", "sts.us-east-1.amazonaws.com", 443, "/", "sts.us-east-1.amazonaws.com"),
        ("HTTPS://STS.amazonaws.com/", "sts.amazonaws.com", 443, "/", "sts.amazonaws.com"),
        ("https://localhost:8443/x?y", "localhost", 8443, "/x?y", "localhost:8443"),
        ("https://[::1]:443/", "::1", 443, "/", "[::1]"),
        ("https://127.0.0.1:80/", "127.0.0.1", 80, "/", "127.0.0.1:80"),
    ] as [(String, String, UInt16, String, String)])
    func parses(_ text: String, _ host: String, _ port: UInt16, _ path: String, _ authority: String) throws {
        let url = try HTTPURL.parse(text, allowingHTTPS: true)
        #expect(url == HTTPURL(host: host, port: port, path: path, scheme: .https))
        #expect(url.authority == authority)
        #expect(try HTTPURL.parse(url.description, allowingHTTPS: true) == url)
        #expect(url.with(path: "/other").scheme == .https)
    }

    @Test("http URLs parse the same with or without https allowed")
    func httpUnchanged() throws {
        #expect(try HTTPURL.parse("http://127.0.0.1:1338/a", allowingHTTPS: true) == HTTPURL(host: "127.0.0.1", port: 1338, path: "/a"))
        #expect(try HTTPURL.parse("http://x", allowingHTTPS: true).port == 80)
    }

    @Test("callers that cannot verify TLS still refuse https")
    func refusedByDefault() {
        #expect(throws: HTTPURLError.httpsUnsupported) { try HTTPURL.parse("https://sts.amazonaws.com") }
        #expect(throws: HTTPURLError.invalid("must start with http:// or https://")) { try HTTPURL.parse("ftp://x", allowingHTTPS: true) }
        #expect(throws: HTTPURLError.invalid("user information is not allowed")) { try HTTPURL.parse("https://a:b@x", allowingHTTPS: true) }
    }
}
