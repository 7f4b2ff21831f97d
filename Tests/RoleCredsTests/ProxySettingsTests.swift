import Testing
@testable import RoleCreds

@Suite("Proxy variables")
struct ProxySettingsTests {
    private let sts = HTTPURL(host: "sts.us-east-1.amazonaws.com", scheme: .https)

    @Test("proxy URLs", arguments: [
        ("http://proxy.corp:3128", "proxy.corp", 3128, nil),
        ("http://proxy.corp:3128/", "proxy.corp", 3128, nil),
        ("proxy.corp:8080", "proxy.corp", 8080, nil),
        ("HTTP://Proxy.Corp", "proxy.corp", 80, nil),
        ("http://[::1]:3128", "::1", 3128, nil),
        ("http://user:secret@127.0.0.1:3128", "127.0.0.1", 3128, "user:secret"),
        ("http://us%40er:p%3Ass@proxy:1", "proxy", 1, "us@er:p:ss"),
        ("http://u:p@ss@proxy:1", "proxy", 1, "u:p@ss"),
    ] as [(String, String, UInt16, String?)])
    func parses(_ text: String, _ host: String, _ port: UInt16, _ userInfo: String?) throws {
        #expect(try HTTPProxy.parse(text, variable: "HTTPS_PROXY") == HTTPProxy(host: host, port: port, userInfo: userInfo))
    }

    @Test("bad proxy URLs are refused without echoing a password", arguments: [
        "https://user:hunter2@proxy:443", "socks5://user:hunter2@proxy:1080", "http://user:hunter2@proxy:3128/path",
        "http://user:hunter2@", "http://user:hunter2@proxy:99999", "http://us%zzer:hunter2@proxy",
    ])
    func refuses(_ text: String) {
        do {
            _ = try HTTPProxy.parse(text, variable: "HTTPS_PROXY")
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.code == .configuration)
            #expect(error.message.hasPrefix("HTTPS_PROXY: "))
            #expect(!error.message.contains("hunter2"))
        }
    }

    @Test("description masks the user information")
    func masked() throws {
        let proxy = try HTTPProxy.parse("http://user:hunter2@127.0.0.1:3128", variable: "HTTPS_PROXY")
        #expect(proxy.description == "http://***@127.0.0.1:3128")
        #expect(!"\(ProxySettings(httpsProxy: proxy))".contains("hunter2"))
    }

    @Test("variables: the lower-case spelling wins; absent means no proxy")
    func fromEnvironment() throws {
        #expect(try ProxySettings.from(EnvironmentLookup([])) == ProxySettings(httpsProxy: nil))
        #expect(try ProxySettings.from(EnvironmentLookup(["HTTPS_PROXY=http://a:1", "https_proxy=http://b:2", "NO_PROXY=x", "no_proxy= y , ,z "]))
                == ProxySettings(httpsProxy: HTTPProxy(host: "b", port: 2), noProxy: ["y", "z"]))
        #expect(try ProxySettings.from(EnvironmentLookup(["HTTPS_PROXY=http://a:1", "NO_PROXY=x"]))
                == ProxySettings(httpsProxy: HTTPProxy(host: "a", port: 1), noProxy: ["x"]))
        // HTTP_PROXY is for plain http, which STS never uses except to loopback.
        #expect(try ProxySettings.from(EnvironmentLookup(["HTTP_PROXY=http://a:1"])).httpsProxy == nil)
    }

    @Test("NO_PROXY matching", arguments: [
        ("sts.us-east-1.amazonaws.com", "*", true),
        ("sts.us-east-1.amazonaws.com", "amazonaws.com", true),
        ("sts.us-east-1.amazonaws.com", ".amazonaws.com", true),
        ("sts.us-east-1.amazonaws.com", "AMAZONAWS.COM", true),
        ("sts.us-east-1.amazonaws.com", "amazonaws.com:443", true),
        ("sts.us-east-1.amazonaws.com", "other.com,sts.us-east-1.amazonaws.com", true),
        ("sts.us-east-1.amazonaws.com", "ws.com", false),
        ("sts.us-east-1.amazonaws.com", "notamazonaws.com", false),
        ("sts.us-east-1.amazonaws.com", "", false),
        ("sts.us-east-1.amazonaws.com", "*.amazonaws.com", false),   // curl takes no glob: * alone only
        ("amazonaws.com", ".amazonaws.com", true),
        ("127.0.0.1", "127.0.0.1", true),
        ("127.0.0.1", "127.0.0.1:8080", true),
        ("127.0.0.10", "127.0.0.1", false),
        ("::1", "::1", true),
        ("::1", "[::1]:443", true),
        ("localhost", "localhost,127.0.0.1", true),
    ] as [(String, String, Bool)])
    func noProxy(_ host: String, _ list: String, _ expected: Bool) throws {
        let settings = try ProxySettings.from(EnvironmentLookup(["HTTPS_PROXY=http://proxy:3128", "NO_PROXY=\(list)"]))
        #expect(ProxySettings.bypasses(host: host, noProxy: settings.noProxy) == expected)
        #expect((settings.proxy(for: HTTPURL(host: host, scheme: .https)) == nil) == expected)
    }

    @Test("only https requests use the proxy")
    func httpsOnly() throws {
        let settings = ProxySettings(httpsProxy: HTTPProxy(host: "proxy", port: 3128))
        #expect(settings.proxy(for: sts) == HTTPProxy(host: "proxy", port: 3128))
        #expect(settings.proxy(for: HTTPURL(host: "127.0.0.1", port: 4566)) == nil)
    }

    @Test("Basic credentials are standard base64")
    func basic() {
        #expect(base64(Array("Aladdin:open sesame".utf8)) == "QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
        #expect(base64(Array("a".utf8)) == "YQ==")
        #expect(base64(Array("ab".utf8)) == "YWI=")
        #expect(base64(Array("abc".utf8)) == "YWJj")
        #expect(base64([]) == "")
    }
}
