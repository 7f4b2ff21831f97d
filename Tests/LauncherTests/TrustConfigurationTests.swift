import Foundation
import Testing
@testable import RoleCreds

/// The TLS trust configuration: one context for a whole run, a bounded CA bundle
/// read without blocking, and host names matched against subjectAltName only.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct TrustConfigurationTests {
    static let names = "DNS:localhost,IP:127.0.0.1"

    @Test func everyHopOfAChainSharesOneTLSSetUpAndConnection() async throws {
        let pki = try await TestPKI()
        let sts = try await FakeSTS(tls: try pki.issue("localhost", names: Self.names))
        let mock = try await Mock()
        let dir = TempDir()
        var config = "[profile p0]\nrole_arn = arn:aws:iam::111122223333:role/r0\ncredential_source = Ec2InstanceMetadata\n"
        for hop in 1..<3 { config += "[profile p\(hop)]\nrole_arn = arn:aws:iam::111122223333:role/r\(hop)\nsource_profile = p\(hop - 1)\n" }
        try config.write(toFile: dir.path("config"), atomically: true, encoding: .utf8)
        let result = try await launch(["--profile", "p2", "--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID"], environment: [
            "AWS_ENDPOINT_URL_STS": sts.url, "AWS_CA_BUNDLE": pki.ca, "AWS_EC2_METADATA_SERVICE_ENDPOINT": mock.url,
            "AWS_CONFIG_FILE": dir.path("config"), "AWS_SHARED_CREDENTIALS_FILE": dir.path("none"),
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "ASIAFAKESTS000000003\n")
        #expect(sts.requests().map { $0.form["RoleArn"] ?? "" } == (0..<3).map { "arn:aws:iam::111122223333:role/r\($0)" })
        // One verified handshake for the three calls: the hops share the client, its context and its connection.
        #expect(await sts.handshakes() == ["handshake ok"])
    }

    @Test func aCertificateNamedOnlyByItsCommonNameIsRefused() async throws {
        let pki = try await TestPKI()
        let (cert, key) = try await pki.issueWithoutSubjectAltName(commonName: "localhost")
        let server = try await PythonServer.https(cert: cert, key: key)
        let client = HTTPClient(url: try HTTPURL.parse("https://localhost:\(server.port)/", allowingHTTPS: true),
                                tls: try TLSContext.system(environment: EnvironmentLookup(["AWS_CA_BUNDLE=\(pki.ca)"])))
        do {
            let response = try client.send(HTTPRequest(method: "GET", path: "/secret-path"), wait: Wait(millis: 5000, clock: SystemClock()))
            Issue.record("a certificate without subjectAltName was accepted for localhost: \(response.status)")
        } catch {
            #expect(error == .transport(TransportError(.verification, "TLS handshake with localhost:\(server.port) failed: certificate verify failed (hostname mismatch)")))
        }
        #expect(await !server.waitForLog("handshake").contains { $0.hasPrefix("request:") })
    }

    /// A FIFO without a writer, a directory and `/dev/zero`: each named for what it is, none opened
    /// for reading (a FIFO would block, `/dev/zero` never ends).
    @Test(arguments: ["SSL_CERT_FILE", "AWS_CA_BUNDLE"])
    func aBundleThatIsNotAFileIsNamedForWhatItIs(variable: String) async throws {
        let dir = TempDir()
        #expect(mkfifo(dir.path("fifo"), 0o600) == 0)
        try FileManager.default.createDirectory(atPath: dir.path("folder"), withIntermediateDirectories: false)
        for (path, what) in [(dir.path("fifo"), "a FIFO, not a regular file"), (dir.path("folder"), "a directory, not a file"),
                             ("/dev/zero", "a character device, not a regular file")] {
            #expect(throws: TransportError(.trustStore, "\(variable) \(path): \(what)")) {
                try TLSContext.system(environment: EnvironmentLookup(["\(variable)=\(path)"]))
            }
        }
    }

    @Test func aFIFOAsTheCABundleEndsTheLauncherAtOnce() async throws {
        let dir = TempDir()
        #expect(mkfifo(dir.path("fifo"), 0o600) == 0)
        try "jwt.for.sts\n".write(toFile: dir.path("token"), atomically: true, encoding: .utf8)
        let result = try await launch(["--", "sh", "-c", "echo ran"], environment: [
            "AWS_ENDPOINT_URL_STS": "https://127.0.0.1:9/", "AWS_CA_BUNDLE": dir.path("fifo"),
            "AWS_WEB_IDENTITY_TOKEN_FILE": dir.path("token"), "AWS_ROLE_ARN": "arn:aws:iam::111122223333:role/wi",
        ], timeout: 20)
        #expect(result.status == 125, "\(result)")
        #expect(result.stderrLines.count == 1 && result.stderr.contains("AWS_CA_BUNDLE \(dir.path("fifo")): a FIFO, not a regular file"),
                "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func aCABundleOver16MiBIsOneClearLine() async throws {
        let pki = try await TestPKI()
        let dir = TempDir()
        // The real CA first, then padding: without the bound the whole file would be parsed (and trusted).
        let pem = try String(contentsOfFile: pki.ca, encoding: .utf8)
        try (pem + String(repeating: "# padding\n", count: 1_700_000)).write(toFile: dir.path("big.pem"), atomically: true, encoding: .utf8)
        #expect(throws: TransportError(.trustStore, "the CA bundle \(dir.path("big.pem")) is larger than 16 MiB; name a bundle of CA certificates only")) {
            try TLSContext.system(environment: EnvironmentLookup(["AWS_CA_BUNDLE=\(dir.path("big.pem"))"]))
        }
        try (pem + String(repeating: "# padding\n", count: 1_600_000)).write(toFile: dir.path("fits.pem"), atomically: true, encoding: .utf8)
        #expect(try TLSContext.system(environment: EnvironmentLookup(["AWS_CA_BUNDLE=\(dir.path("fits.pem"))"])).trust.files.last == dir.path("fits.pem"))
    }
}
