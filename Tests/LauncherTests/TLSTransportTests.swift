import Foundation
import Testing
@testable import RoleCreds

/// The library's HTTP client over verified TLS, against real TLS servers and a CONNECT proxy on
/// loopback, each test with a CA and certificates of its own.
@Suite("TLS transport", .serialized, .timeLimit(.minutes(1)))
struct TLSTransportTests {
    static let names = "DNS:localhost,IP:127.0.0.1"
    static let secret = "Bearer wrc-secret-token-8d1f2a"

    private func deadline(_ millis: Int64 = 5000) -> Wait { Wait(millis: millis, clock: SystemClock()) }

    /// A POST with a secret header, as the STS client sends it.
    private func post(_ client: HTTPClient) throws(HTTPError) -> HTTPResponse {
        try client.send(HTTPRequest(method: "POST", path: "/", headers: HTTPHeaders([("Authorization", Self.secret)]),
                                    body: Array("Action=GetCallerIdentity&Version=2011-06-15".utf8)), wait: deadline())
    }

    private func client(_ text: String, _ env: [String], proxy: HTTPProxy? = nil) throws -> HTTPClient {
        let url = try HTTPURL.parse(text, allowingHTTPS: true)
        return HTTPClient(url: url, tls: try TLSContext.system(environment: EnvironmentLookup(env)), proxy: proxy)
    }

    /// The TLS error a failed send ended in, or a recorded issue.
    private func tlsError(_ body: () throws(HTTPError) -> HTTPResponse) -> TransportError? {
        do {
            let response = try body()
            Issue.record("expected a TLS error, got \(response.status)")
        } catch .transport(let error) {
            #expect(!error.message.contains("wrc-secret"))
            return error
        } catch {
            Issue.record("expected a TLS error, got \(error)")
        }
        return nil
    }

    @Test("verified POST with the test CA in AWS_CA_BUNDLE (by name and by IP address); keep-alive over TLS")
    func awsCABundle() async throws {
        let pki = try await TestPKI()
        let (cert, key) = try await pki.issue("localhost", names: Self.names)
        let server = try await PythonServer.https(cert: cert, key: key)
        for host in ["localhost", "127.0.0.1"] {
            let client = try client("https://\(host):\(server.port)/", ["AWS_CA_BUNDLE=\(pki.ca)"])
            defer { client.close() }
            #expect(try post(client).text == "hello over tls: POST / HTTP/1.1")
            #expect(try post(client).status == 200)
        }
        let log = server.log()
        // One connection per host, kept alive for both requests: one handshake each.
        #expect(log.filter { $0 == "handshake ok" }.count == 2)
        #expect(log.filter { $0 == "request: POST / HTTP/1.1" }.count == 4)
        #expect(log.contains("header: Host: localhost:\(server.port)"))
        #expect(log.contains("body: Action=GetCallerIdentity&Version=2011-06-15"))
    }

    @Test("verified GET with the test CA as SSL_CERT_FILE")
    func sslCertFile() async throws {
        let pki = try await TestPKI()
        let (cert, key) = try await pki.issue("localhost", names: Self.names)
        let server = try await PythonServer.https(cert: cert, key: key)
        let client = try client("https://localhost:\(server.port)/x", ["SSL_CERT_FILE=\(pki.ca)"])
        #expect(try client.send(HTTPRequest(method: "GET", path: "/x"), wait: deadline()).text == "hello over tls: GET /x HTTP/1.1")
    }

    @Test("an untrusted server fails verification and never receives a byte of the request", arguments: [
        ("self-signed", "self-signed certificate"),
        ("expired", "certificate has expired"),
    ])
    func untrusted(_ kind: String, _ reason: String) async throws {
        let pki = try await TestPKI()
        let (cert, key) = kind == "expired" ? try await pki.issue("expired", names: Self.names, days: -1)
                                            : try await pki.issue("stranger", names: Self.names, selfSigned: true)
        let server = try await PythonServer.https(cert: cert, key: key)
        let client = try client("https://localhost:\(server.port)/", ["AWS_CA_BUNDLE=\(pki.ca)"])
        let error = tlsError { () throws(HTTPError) in try post(client) }
        #expect(error?.code == .verification)
        #expect(error?.message == "TLS handshake with localhost:\(server.port) failed: certificate verify failed (\(reason))")
        let log = await server.waitForLog("handshake")
        #expect(log.first?.hasPrefix("handshake failed") == true)
        #expect(!log.contains { $0.hasPrefix("request:") || $0.hasPrefix("partial:") })
    }

    @Test("a certificate for another name fails verification", arguments: [
        ("localhost", "hostname mismatch"),
        ("127.0.0.1", "IP address mismatch"),
    ])
    func wrongName(_ host: String, _ reason: String) async throws {
        let pki = try await TestPKI()
        let (cert, key) = try await pki.issue("other", names: "DNS:other.example,IP:10.9.9.9")
        let server = try await PythonServer.https(cert: cert, key: key)
        let client = try client("https://\(host):\(server.port)/", ["AWS_CA_BUNDLE=\(pki.ca)"])
        let error = tlsError { () throws(HTTPError) in try post(client) }
        #expect(error?.code == .verification)
        #expect(error?.message == "TLS handshake with \(host):\(server.port) failed: certificate verify failed (\(reason))")
        #expect(await !server.waitForLog("handshake").contains { $0.hasPrefix("request:") })
    }

    @Test("a server that accepts and never answers the handshake ends in a timeout; it got only a ClientHello")
    func stalledHandshake() async throws {
        let pki = try await TestPKI()
        let listener = try Socket.listen(host: "127.0.0.1", port: 0)  // never accepted: the kernel completes TCP alone
        let client = try client("https://127.0.0.1:\(listener.localPort())/", ["AWS_CA_BUNDLE=\(pki.ca)"])
        let error = tlsError { () throws(HTTPError) in
            try client.send(HTTPRequest(method: "POST", path: "/", headers: HTTPHeaders([("Authorization", Self.secret)])),
                            wait: deadline(1000))
        }
        #expect(error?.code == .timedOut)
        #expect(error?.message == "TLS handshake with 127.0.0.1:\(listener.localPort()) did not finish before the deadline")
        let peer = try #require(try listener.accept())
        let received = try peer.receive(max: 64 * 1024, wait: deadline())
        #expect(received.first == 0x16)  // a TLS handshake record
        #expect(!String(decoding: received, as: UTF8.self).contains("POST"))
    }

    @Test("a CONNECT tunnel through HTTPS_PROXY; the real host's certificate is verified")
    func proxyTunnel() async throws {
        let pki = try await TestPKI()
        let (cert, key) = try await pki.issue("localhost", names: Self.names)
        let server = try await PythonServer.https(cert: cert, key: key)
        let proxy = try await PythonServer.proxy()
        let url = try HTTPURL.parse("https://localhost:\(server.port)/", allowingHTTPS: true)
        let settings = try ProxySettings.from(EnvironmentLookup(["HTTPS_PROXY=http://127.0.0.1:\(proxy.port)", "NO_PROXY=example.com"]))
        let route = try #require(settings.proxy(for: url))
        let client = try client(url.description, ["AWS_CA_BUNDLE=\(pki.ca)"], proxy: route)
        #expect(try post(client).text == "hello over tls: POST / HTTP/1.1")
        #expect(proxy.log() == ["proxy: CONNECT localhost:\(server.port) HTTP/1.1", "proxy auth: none"])
        #expect(server.log().contains("request: POST / HTTP/1.1"))

        // Through the tunnel a wrong-name certificate is refused just the same.
        let (other, otherKey) = try await pki.issue("other", names: "DNS:other.example")
        let impostor = try await PythonServer.https(cert: other, key: otherKey)
        let tunnelled = try self.client("https://localhost:\(impostor.port)/", ["AWS_CA_BUNDLE=\(pki.ca)"], proxy: route)
        #expect(tlsError { () throws(HTTPError) in try post(tunnelled) }?.code == .verification)
    }

    @Test("NO_PROXY bypasses the proxy")
    func noProxy() async throws {
        let pki = try await TestPKI()
        let (cert, key) = try await pki.issue("localhost", names: Self.names)
        let server = try await PythonServer.https(cert: cert, key: key)
        let proxy = try await PythonServer.proxy()
        let url = try HTTPURL.parse("https://localhost:\(server.port)/", allowingHTTPS: true)
        let settings = try ProxySettings.from(EnvironmentLookup(["https_proxy=http://127.0.0.1:\(proxy.port)", "no_proxy=.example.com,localhost"]))
        let client = try client(url.description, ["AWS_CA_BUNDLE=\(pki.ca)"], proxy: settings.proxy(for: url))
        #expect(try post(client).status == 200)
        #expect(server.log().contains("request: POST / HTTP/1.1"))
        #expect(proxy.log().isEmpty)
    }

    @Test("proxy credentials go out as Basic; a 407 names the status and never the password")
    func proxyAuthentication() async throws {
        let pki = try await TestPKI()
        let (cert, key) = try await pki.issue("localhost", names: Self.names)
        let server = try await PythonServer.https(cert: cert, key: key)
        let proxy = try await PythonServer.proxy(userInfo: "wrc:pa@ss-0x51")
        let good = try HTTPProxy.parse("http://wrc:pa%40ss-0x51@127.0.0.1:\(proxy.port)", variable: "HTTPS_PROXY")
        let client = try client("https://localhost:\(server.port)/", ["AWS_CA_BUNDLE=\(pki.ca)"], proxy: good)
        #expect(try post(client).status == 200)
        #expect(proxy.log().contains("proxy auth: ok"))

        let bad = try HTTPProxy.parse("http://wrc:wrong-pass-77@127.0.0.1:\(proxy.port)", variable: "HTTPS_PROXY")
        let refused = try self.client("https://localhost:\(server.port)/", ["AWS_CA_BUNDLE=\(pki.ca)"], proxy: bad)
        let error = tlsError { () throws(HTTPError) in try post(refused) }
        #expect(error?.code == .proxy)
        #expect(error?.message == "proxy 127.0.0.1:\(proxy.port) refused the tunnel to localhost:\(server.port): 407 (check the user and password in the proxy variable)")
        #expect(error.map { !$0.message.contains("wrong-pass") && !$0.message.contains(base64(Array("wrc:wrong-pass-77".utf8))) } == true)
        #expect(server.log().filter { $0.hasPrefix("request:") }.count == 1)
    }

    @Test("a body that ends at the close needs TLS's close_notify: a cut-off connection is an error, not a short body")
    func truncation() async throws {
        let pki = try await TestPKI()
        let (cert, key) = try await pki.issue("localhost", names: Self.names)
        let clean = try await PythonServer.https(cert: cert, key: key, ending: "close-notify")
        #expect(try post(try client("https://localhost:\(clean.port)/", ["AWS_CA_BUNDLE=\(pki.ca)"])).text == "hello over tls: POST / HTTP/1.1")
        let abrupt = try await PythonServer.https(cert: cert, key: key, ending: "abrupt")
        let client = try client("https://localhost:\(abrupt.port)/", ["AWS_CA_BUNDLE=\(pki.ca)"])
        #expect(throws: HTTPError.transport(TransportError(.io, "receive failed: TLS read from localhost:\(abrupt.port) failed: connection closed without close_notify"))) {
            try post(client)
        }
    }

    @Test("a missing or unreadable AWS_CA_BUNDLE is a clear error before any connection")
    func badBundle() async throws {
        let dir = TempDir()
        #expect(throws: TransportError(.trustStore, "AWS_CA_BUNDLE \(dir.path("none.pem")): no such file")) {
            try TLSContext.system(environment: EnvironmentLookup(["AWS_CA_BUNDLE=\(dir.path("none.pem"))"]))
        }
        try "not a certificate\n".write(toFile: dir.path("junk.pem"), atomically: true, encoding: .utf8)
        do {
            _ = try TLSContext.system(environment: EnvironmentLookup(["AWS_CA_BUNDLE=\(dir.path("junk.pem"))"]))
            Issue.record("a bundle without certificates was accepted")
        } catch {
            #expect(error.code == .trustStore)
            #expect(error.message.hasPrefix("cannot load CA certificates from \(dir.path("junk.pem")) ("))
        }
        if getuid() != 0 {  // root reads any file
            try "x".write(toFile: dir.path("locked.pem"), atomically: true, encoding: .utf8)
            chmod(dir.path("locked.pem"), 0)
            #expect(throws: TransportError(.trustStore, "cannot read the CA bundle \(dir.path("locked.pem")): Permission denied")) {
                try TLSContext.system(environment: EnvironmentLookup(["AWS_CA_BUNDLE=\(dir.path("locked.pem"))"]))
            }
        }
    }

    @Test("an https URL without a TLS context is refused, not sent in clear")
    func noContext() async throws {
        let listener = try Socket.listen(host: "127.0.0.1", port: 0)
        let client = HTTPClient(url: HTTPURL(host: "127.0.0.1", port: listener.localPort(), scheme: .https), tls: nil)
        #expect(throws: HTTPError.transport(TransportError(.configuration, "https://127.0.0.1:\(listener.localPort()) needs a TLS context"))) {
            try client.send(HTTPRequest(method: "GET", path: "/"), wait: deadline())
        }
        #expect(try listener.accept() == nil)
    }
}
