import Testing
@testable import RoleCreds

@Suite("Plain http only to loopback")
struct PlainHTTPPolicyTests {
    @Test("loopback http URLs are allowed", arguments: [
        "http://localhost:4566/", "http://LOCALHOST/", "http://127.0.0.1:5000/", "http://127.1.2.3/",
        "http://[::1]:8080/", "http://[0:0:0:0:0:0:0:1]/", "http://[::ffff:127.0.0.1]/",
    ])
    func allowed(_ text: String) throws {
        let url = try HTTPURL.parse(text)
        #expect(isLoopbackHTTPAllowed(url))
        try requireTLSOrLoopback(url, what: "STS endpoint")
    }

    @Test("other http URLs are refused before connecting", arguments: [
        "http://sts.amazonaws.com/", "http://169.254.169.254/", "http://10.0.0.1/", "http://128.0.0.1/",
        "http://127.0.0.1.nip.io/", "http://0x7f000001/", "http://2130706433/", "http://localhost.evil.com/",
        "http://[::2]/", "http://[::ffff:10.0.0.1]/", "http://0.0.0.0/",
    ])
    func refused(_ text: String) throws {
        let url = try HTTPURL.parse(text)
        #expect(!isLoopbackHTTPAllowed(url))
        #expect(throws: TransportError.self) { try requireTLSOrLoopback(url, what: "STS endpoint") }
        do { try requireTLSOrLoopback(url, what: "STS endpoint") } catch {
            #expect(error.code == .insecureHTTP)
            #expect(error.message.hasPrefix("STS endpoint http://\(url.authority) is plain http"))
        }
    }

    @Test("https passes the policy, to any host; it is not 'loopback http'")
    func https() throws {
        let url = try HTTPURL.parse("https://sts.us-east-1.amazonaws.com/", allowingHTTPS: true)
        try requireTLSOrLoopback(url, what: "STS endpoint")
        #expect(!isLoopbackHTTPAllowed(try HTTPURL.parse("https://127.0.0.1/", allowingHTTPS: true)))
    }
}
