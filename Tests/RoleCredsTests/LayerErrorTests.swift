import Testing
@testable import RoleCreds

/// Each layer's error keeps the one below it as a value (not only as text), and the sentence people see
/// stays the lower layer's. Only loopback: a closed port on 127.0.0.1, and a far address that is refused
/// before any connection.
@Suite("Errors per layer")
struct LayerErrorTests {
    /// A loopback port that was just free: nothing listens on it.
    private func closedPort() throws -> UInt16 {
        let listener = try Socket.listen(host: "127.0.0.1", port: 0)
        defer { listener.close() }
        return listener.localPort()
    }

    @Test("a refused connect is a transport error of code connect, over the socket's error")
    func refusedConnect() throws {
        let client = HTTPClient(url: HTTPURL(host: "127.0.0.1", port: try closedPort()), tls: nil)
        #expect {
            try client.send(HTTPRequest(method: "GET", path: "/"), wait: Wait(millis: 5000, clock: SystemClock()))
        } throws: { error in
            guard case .transport(let transport)? = error as? HTTPError else { return false }
            return transport.code == .connect && transport.underlying as? SocketError == .refused(Errno.connectionRefused)
                && transport.message == "cannot connect: \(Errno.connectionRefused)"
        }
    }

    @Test("an address the plain-http rule refuses: code notAllowed, nothing connected, the socket's error kept")
    func refusedAddress() throws {
        let client = HTTPClient(url: HTTPURL(host: "127.0.0.1", port: try closedPort()), tls: nil)
        client.allowAddress = { _ in false }
        #expect {
            try client.send(HTTPRequest(method: "GET", path: "/"), wait: Wait(millis: 5000, clock: SystemClock()))
        } throws: { error in
            guard case .transport(let transport)? = error as? HTTPError else { return false }
            return transport.code == .notAllowed && !transport.isTransient
                && transport.underlying as? SocketError == .notAllowed(host: "127.0.0.1", address: "127.0.0.1")
        }
    }

    @Test("plain http to a far STS endpoint: a configuration error over the transport layer's insecureHTTP")
    func farPlainHTTP() throws {
        let endpoint = STSEndpoint(scheme: "http", host: "10.0.0.8", port: 80, path: "/", signingRegion: "us-east-1", origin: "test")
        #expect {
            _ = try STSClient(endpoint: endpoint, environment: EnvironmentLookup([]),
                              tls: SharedTLSContext(environment: EnvironmentLookup([]), profileCABundle: nil),
                              retry: RetryPolicy(attempts: 1, timeoutMillis: 1000), clock: SystemClock(), log: Log(level: .quiet))
        } throws: { error in
            guard let error = error as? CredentialError, error.code == .configuration,
                  let transport = error.underlying as? TransportError else { return false }
            return transport.code == .insecureHTTP && error.message == transport.message
                && error.message.hasPrefix("STS endpoint http://10.0.0.8 is plain http to a host that is not loopback")
        }
    }

    @Test("STS that cannot be reached: a transient transport error over the HTTP error, in the same sentence")
    func unreachableSTS() throws {
        let port = try closedPort()
        let endpoint = STSEndpoint(scheme: "http", host: "127.0.0.1", port: port, path: "/", signingRegion: "us-east-1", origin: "test")
        let sts = try STSClient(endpoint: endpoint, environment: EnvironmentLookup([]),
                                tls: SharedTLSContext(environment: EnvironmentLookup([]), profileCABundle: nil),
                                retry: RetryPolicy(attempts: 1, timeoutMillis: 1000), clock: SystemClock(), log: Log(level: .quiet))
        defer { sts.close() }
        #expect {
            _ = try sts.call(.assumeRole, roleArn: "arn:aws:iam::123456789012:role/r", hiding: [],
                             wait: Wait(millis: 10_000, clock: SystemClock())) { HTTPRequest(method: "POST", path: "/") }
        } throws: { error in
            guard let error = error as? CredentialError, error.code == .transport, error.isTransient,
                  case .transport(let transport)? = error.underlying as? HTTPError else { return false }
            return transport.code == .connect
                && error.message == "STS AssumeRole for arn:aws:iam::123456789012:role/r at 127.0.0.1:\(port) failed (cannot connect: \(Errno.connectionRefused))"
        }
    }

    @Test("an IP literal's socket address carries the address and the port", arguments: ["127.0.0.1", "::1", "::ffff:10.1.2.3"])
    func literalAddress(_ text: String) throws {
        let address = try #require(Socket.literal(host: text, port: 8080))
        #expect(address.ip == IPAddress(text))
        let port = withUnsafeBytes(of: address.storage) { UInt16(bigEndian: $0.load(fromByteOffset: 2, as: UInt16.self)) }
        #expect(port == 8080)
        #expect(Socket.literal(host: "localhost", port: 8080) == nil)
    }

    @Test("layers' errors compare by code and sentence")
    func equality() {
        #expect(TransportError(.io, "x", underlying: SocketError.timedOut) == TransportError(.io, "x"))
        #expect(TransportError(.io, "x") != TransportError(.proxy, "x"))
        #expect(SettingsError(.invalid, "x").description == "x")
    }
}
