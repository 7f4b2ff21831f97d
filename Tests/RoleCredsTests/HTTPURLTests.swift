import Testing
@testable import RoleCreds

@Suite("HTTPURL.parse")
struct HTTPURLTests {
    @Test(arguments: [
        ("http://169.254.169.254", "169.254.169.254", 80, "/"),
        ("http://169.254.169.254/", "169.254.169.254", 80, "/"),
        ("http://127.0.0.1:1338/latest/api/token", "127.0.0.1", 1338, "/latest/api/token"),
        ("http://[fd00:ec2::254]", "fd00:ec2::254", 80, "/"),
        ("http://[fd00:ec2::254]/latest", "fd00:ec2::254", 80, "/latest"),
        ("http://[::1]:8080/x", "::1", 8080, "/x"),
        ("http://[::1]:65535", "::1", 65535, "/"),
        ("http://[FD00:EC2::23]/v1/credentials", "fd00:ec2::23", 80, "/v1/credentials"),
        ("http://localhost:65535/a/b?c=d&e=f", "localhost", 65535, "/a/b?c=d&e=f"),
        ("http://Example.COM/Path", "example.com", 80, "/Path"),
        ("HTTP://host", "host", 80, "/"),
        ("Http://host:1/", "host", 1, "/"),
        ("http://host?x=1", "host", 80, "/?x=1"),
        ("http://host:81?x=1", "host", 81, "/?x=1"),
        ("http://host/a#frag", "host", 80, "/a"),
        ("http://host/a?b#c", "host", 80, "/a?b"),
        ("http://host:080/", "host", 80, "/"),
        ("http://host/p@q", "host", 80, "/p@q"),
        ("http://my_host-1.internal:1/", "my_host-1.internal", 1, "/"),
        ("http://169.254.170.2/v2/credentials/8f2c-11e9", "169.254.170.2", 80, "/v2/credentials/8f2c-11e9"),
    ] as [(String, String, UInt16, String)])
    func parses(_ text: String, _ host: String, _ port: UInt16, _ path: String) throws {
        let url = try HTTPURL.parse(text)
        #expect(url == HTTPURL(host: host, port: port, path: path))
    }

    @Test(arguments: [
        ("https://169.254.169.254", HTTPURLError.httpsUnsupported),
        ("HTTPS://localhost:443/creds", .httpsUnsupported),
        ("ftp://host", .invalid("must start with http://")),
        ("169.254.169.254", .invalid("must start with http://")),
        ("", .invalid("must start with http://")),
        ("http:/host", .invalid("must start with http://")),
        ("//host", .invalid("must start with http://")),
        (" http://host", .invalid("must start with http://")),
        ("http://", .invalid("no host")),
        ("http:///path", .invalid("no host")),
        ("http://:80/", .invalid("no host")),
        ("http://?x", .invalid("no host")),
        ("http://::1/", .invalid("no host")),
        ("http://user@host/", .invalid("user information is not allowed")),
        ("http://user:pw@host:80/", .invalid("user information is not allowed")),
        ("http://@host/", .invalid("user information is not allowed")),
        ("http://host:0", .invalid("bad port")),
        ("http://host:65536", .invalid("bad port")),
        ("http://host:99999", .invalid("bad port")),
        ("http://host:123456", .invalid("bad port")),
        ("http://host:", .invalid("bad port")),
        ("http://host:/x", .invalid("bad port")),
        ("http://host:abc", .invalid("bad port")),
        ("http://host:-1", .invalid("bad port")),
        ("http://host:+80", .invalid("bad port")),
        ("http://host: 80", .invalid("bad port")),
        ("http://host:8:0", .invalid("bad port")),
        ("http://fd00::1/", .invalid("bad port")),
        ("http://[::1]:", .invalid("bad port")),
        ("http://[::1]:0", .invalid("bad port")),
        ("http://[::1]:70000", .invalid("bad port")),
        ("http://[::1", .invalid("unclosed [ in host")),
        ("http://[::1/x", .invalid("unclosed [ in host")),
        ("http://[::1]8080", .invalid("unexpected text after ]")),
        ("http://[::1]]", .invalid("unexpected text after ]")),
        ("http://[127.0.0.1]/", .invalid("brackets around a host that is not IPv6")),
        ("http://[]", .invalid("brackets around a host that is not IPv6")),
        ("http://ho st/", .invalid("bad character in host")),
        ("http://host\u{0}/", .invalid("bad character in host")),
        ("http://hôst/", .invalid("bad character in host")),
        ("http://host\\evil/", .invalid("bad character in host")),
        ("http://host/a b", .invalid("bad character in path")),
        ("http://host/a\u{7F}", .invalid("bad character in path")),
        ("http://host/é", .invalid("bad character in path")),
        ("http://host/a\r\nX-Injected: 1", .invalid("bad character in path")),
        ("http://host/a\tb", .invalid("bad character in path")),
    ] as [(String, HTTPURLError)])
    func refuses(_ text: String, _ expected: HTTPURLError) {
        #expect(throws: expected) { try HTTPURL.parse(text) }
    }

    @Test(arguments: [
        (HTTPURL(host: "169.254.169.254"), "169.254.169.254", "http://169.254.169.254/"),
        (HTTPURL(host: "127.0.0.1", port: 1338, path: "/latest"), "127.0.0.1:1338", "http://127.0.0.1:1338/latest"),
        (HTTPURL(host: "fd00:ec2::254"), "[fd00:ec2::254]", "http://[fd00:ec2::254]/"),
        (HTTPURL(host: "::1", port: 8080, path: "/x?y=1"), "[::1]:8080", "http://[::1]:8080/x?y=1"),
    ])
    func authorityAndDescription(_ url: HTTPURL, _ authority: String, _ description: String) throws {
        #expect(url.authority == authority)
        #expect(url.description == description)
        #expect("\(url)" == description)
        #expect(try HTTPURL.parse(url.description) == url)
    }

    @Test func withPathKeepsHostAndPort() {
        let url = HTTPURL(host: "::1", port: 9, path: "/a")
        #expect(url.with(path: "/b/c") == HTTPURL(host: "::1", port: 9, path: "/b/c"))
    }

    @Test func errorsDescribeThemselves() {
        #expect(HTTPURLError.httpsUnsupported.description.contains("https"))
        #expect(HTTPURLError.invalid("bad port").description == "invalid URL (bad port)")
    }
}

extension HTTPURL {
    /// The same scheme, host and port with another path (what the metadata client does with its endpoint).
    func with(path: String) -> HTTPURL { HTTPURL(host: host, port: port, path: path, scheme: scheme) }
}
