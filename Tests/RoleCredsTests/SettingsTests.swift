import Testing
@testable import RoleCreds

private func resolve(_ env: [String], _ edit: (inout Options) -> Void = { _ in }) throws(UsageError) -> Settings.Source {
    try settings(env, edit).source.value
}

private func settings(_ env: [String], _ edit: (inout Options) -> Void = { _ in }) throws(UsageError) -> Settings {
    var options = Options()
    options.command = ["cmd"]
    edit(&options)
    return try Settings.resolve(options, environment: EnvironmentLookup(env))
}

private func imds(_ env: [String], _ edit: (inout Options) -> Void = { _ in }) throws -> IMDSConfig {
    let config = try resolve(env, edit)
    guard case .imds(let c) = config else { throw UsageError("expected IMDS, got \(config)") }
    return c
}

private func container(_ env: [String], _ edit: (inout Options) -> Void = { _ in }) throws -> ContainerConfig {
    let config = try resolve(env, edit)
    guard case .container(let c) = config else { throw UsageError("expected a container endpoint, got \(config)") }
    return c
}

/// Asserts that resolving fails with a message containing `fragment`.
private func expectRefused(_ env: [String], _ fragment: String, _ edit: (inout Options) -> Void = { _ in },
                           sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        let config = try resolve(env, edit)
        Issue.record("accepted: \(config)", sourceLocation: sourceLocation)
    } catch {
        #expect(error.description.contains(fragment), "\(error.description)", sourceLocation: sourceLocation)
    }
}

private let endpointVar = "AWS_EC2_METADATA_SERVICE_ENDPOINT"
private let modeVar = "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"
private let relativeVar = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
private let fullVar = "AWS_CONTAINER_CREDENTIALS_FULL_URI"

@Suite("Settings.resolve: IMDS")
struct IMDSSourceConfigTests {
    @Test func defaults() throws {
        #expect(try resolve([]) == .imds(IMDSConfig(endpoint: HTTPURL(host: "169.254.169.254"), allowV1: false, v1Disabled: false,
                                                   role: nil, timeoutMillis: 1000, attempts: 3)))
    }

    @Test(arguments: [
        // (--imds-endpoint, environment, host, port)
        (nil, [], "169.254.169.254", 80),
        (nil, ["\(modeVar)=IPv6"], "fd00:ec2::254", 80),
        (nil, ["\(modeVar)=ipv6"], "fd00:ec2::254", 80),
        (nil, ["\(modeVar)=IPV6"], "fd00:ec2::254", 80),
        (nil, ["\(modeVar)=IPv4"], "169.254.169.254", 80),
        (nil, ["\(modeVar)=iPv4"], "169.254.169.254", 80),
        (nil, ["\(modeVar)="], "169.254.169.254", 80),
        (nil, ["\(endpointVar)=http://127.0.0.1:1338"], "127.0.0.1", 1338),
        (nil, ["\(endpointVar)=http://127.0.0.1:1338", "\(modeVar)=IPv6"], "127.0.0.1", 1338),
        (nil, ["\(modeVar)=IPv6", "\(endpointVar)=http://[::1]:1338/"], "::1", 1338),
        (nil, ["\(endpointVar)=http://127.0.0.1:1338", "\(modeVar)=nonsense"], "127.0.0.1", 1338),
        (nil, ["\(endpointVar)=", "\(modeVar)=IPv6"], "fd00:ec2::254", 80),
        ("http://[::1]:9", ["\(endpointVar)=http://127.0.0.1:1338", "\(modeVar)=IPv6"], "::1", 9),
        ("http://localhost:1", ["\(modeVar)=bogus"], "localhost", 1),
        (nil, ["\(endpointVar)=http://127.0.0.1:1", "\(endpointVar)=http://127.0.0.2:2"], "127.0.0.1", 1),
    ] as [(String?, [String], String, UInt16)])
    func endpointPrecedence(_ flag: String?, _ env: [String], _ host: String, _ port: UInt16) throws {
        let config = try imds(env) { $0.imdsEndpoint = flag }
        #expect(config.endpoint == HTTPURL(host: host, port: port, path: "/"))
    }

    @Test func endpointPathIsABase() throws {
        #expect(try imds(["\(endpointVar)=http://10.0.0.1:8080/some/prefix?x=1"]).endpoint == HTTPURL(host: "10.0.0.1", port: 8080))
    }

    @Test(arguments: [
        (nil, ["\(modeVar)=IPv5"], "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE must be IPv4 or IPv6, not 'IPv5'"),
        (nil, ["\(modeVar)=dualstack"], "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE must be IPv4 or IPv6"),
        (nil, ["\(modeVar)= IPv4"], "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE must be IPv4 or IPv6"),
        (nil, ["\(endpointVar)=https://169.254.169.254"], "AWS_EC2_METADATA_SERVICE_ENDPOINT: https endpoints are not supported"),
        (nil, ["\(endpointVar)=169.254.169.254"], "AWS_EC2_METADATA_SERVICE_ENDPOINT: invalid URL"),
        (nil, ["\(endpointVar)=http://user@host"], "AWS_EC2_METADATA_SERVICE_ENDPOINT: invalid URL (user information"),
        ("ftp://x", [], "--imds-endpoint: invalid URL"),
        ("", [], "--imds-endpoint: invalid URL"),
        ("http://h:0", ["\(endpointVar)=http://127.0.0.1"], "--imds-endpoint: invalid URL (bad port)"),
    ] as [(String?, [String], String)])
    func badEndpoint(_ flag: String?, _ env: [String], _ fragment: String) {
        expectRefused(env, fragment) { $0.imdsEndpoint = flag }
    }

    @Test(arguments: ["true", "TRUE", "True", "tRuE"])
    func imdsDisabled(_ value: String) throws {
        expectRefused(["AWS_EC2_METADATA_DISABLED=\(value)"], "no credential source")
        // An explicit --source imds or --imds-endpoint is the stronger wish (spec §1).
        _ = try imds(["AWS_EC2_METADATA_DISABLED=\(value)"]) { $0.source = .imds }
        #expect(try imds(["AWS_EC2_METADATA_DISABLED=\(value)"]) { $0.imdsEndpoint = "http://127.0.0.1:1" }.endpoint.port == 1)
        // the container endpoint is still allowed
        _ = try container(["AWS_EC2_METADATA_DISABLED=\(value)", "\(relativeVar)=/v2/credentials/x"])
    }

    @Test(arguments: ["false", "", "1", "yes", "no"])
    func imdsNotDisabled(_ value: String) throws {
        _ = try imds(["AWS_EC2_METADATA_DISABLED=\(value)"])
    }

    @Test(arguments: [
        ([], false, false),
        (["AWS_EC2_METADATA_V1_DISABLED=true"], false, true),
        (["AWS_EC2_METADATA_V1_DISABLED=TRUE"], true, true),
        (["AWS_EC2_METADATA_V1_DISABLED=false"], true, false),
        (["AWS_EC2_METADATA_V1_DISABLED=False"], false, false),
        (["AWS_EC2_METADATA_V1_DISABLED="], true, false),
    ] as [([String], Bool, Bool)])
    func imdsV1(_ env: [String], _ allow: Bool, _ disabled: Bool) throws {
        let config = try imds(env) { $0.allowIMDSv1 = allow }
        #expect(config.allowV1 == allow)
        #expect(config.v1Disabled == disabled)
    }

    @Test(arguments: ["yes", "1", "on", "truee"])
    func badV1Disabled(_ value: String) {
        expectRefused(["AWS_EC2_METADATA_V1_DISABLED=\(value)"], "AWS_EC2_METADATA_V1_DISABLED must be true or false, not '\(value)'")
    }

    @Test(arguments: [
        // (environment, --role, expected role)
        ([], nil, nil),
        (["AWS_EC2_INSTANCE_PROFILE_NAME=web"], nil, "web"),
        (["AWS_EC2_INSTANCE_PROFILE_NAME=web"], "flag-role", "flag-role"),
        (["AWS_EC2_INSTANCE_PROFILE_NAME="], nil, nil),
        (["AWS_EC2_INSTANCE_PROFILE_NAME=bad/name"], "flag-role", "flag-role"),
    ] as [([String], String?, String?)])
    func role(_ env: [String], _ flag: String?, _ expected: String?) throws {
        #expect(try imds(env) { $0.role = flag }.role == expected)
    }

    @Test(arguments: ["bad/name", "with space", String(repeating: "r", count: 65)])
    func badRoleFromEnvironment(_ name: String) {
        expectRefused(["AWS_EC2_INSTANCE_PROFILE_NAME=\(name)"], "AWS_EC2_INSTANCE_PROFILE_NAME:")
    }
}

@Suite("Settings.resolve: timeout and attempts")
struct TimeoutAttemptsTests {
    @Test(arguments: [
        // (environment, --timeout, --attempts, timeout, attempts)
        ([], nil, nil, 1000, 3),
        (["AWS_METADATA_SERVICE_TIMEOUT=5"], nil, nil, 5000, 3),
        (["AWS_METADATA_SERVICE_TIMEOUT=0.5"], nil, nil, 500, 3),
        (["AWS_METADATA_SERVICE_TIMEOUT=2.25"], nil, nil, 2250, 3),
        (["AWS_METADATA_SERVICE_TIMEOUT="], nil, nil, 1000, 3),
        (["AWS_METADATA_SERVICE_TIMEOUT=5"], 3000, nil, 3000, 3),
        (["AWS_METADATA_SERVICE_NUM_ATTEMPTS=5"], nil, nil, 1000, 5),
        (["AWS_METADATA_SERVICE_NUM_ATTEMPTS=1"], nil, nil, 1000, 1),
        (["AWS_METADATA_SERVICE_NUM_ATTEMPTS=20"], nil, nil, 1000, 20),
        (["AWS_METADATA_SERVICE_NUM_ATTEMPTS=5"], nil, 2, 1000, 2),
        (["AWS_METADATA_SERVICE_TIMEOUT=2", "AWS_METADATA_SERVICE_NUM_ATTEMPTS=4"], nil, nil, 2000, 4),
    ] as [([String], Int64?, Int?, Int64, Int)])
    func values(_ env: [String], _ timeout: Int64?, _ attempts: Int?, _ expectedTimeout: Int64, _ expectedAttempts: Int) throws {
        let edit: (inout Options) -> Void = { $0.timeoutMillis = timeout; $0.attempts = attempts }
        let i = try imds(env, edit)
        #expect(i.timeoutMillis == expectedTimeout && i.attempts == expectedAttempts)
        // the same for the container endpoint
        let c = try container(env + ["\(relativeVar)=/creds"], edit)
        #expect(c.timeoutMillis == expectedTimeout && c.attempts == expectedAttempts)
    }

    @Test(arguments: ["0", "0.0", "-1", "abc", "5s", "1m", "1e3", " 1", "1,5", "0.0001", "99999999999"])
    func badTimeout(_ value: String) {
        let fragment = "AWS_METADATA_SERVICE_TIMEOUT must be a number of seconds"
        expectRefused(["AWS_METADATA_SERVICE_TIMEOUT=\(value)"], fragment)
        // validated whatever the source, before anything is fetched
        expectRefused(["AWS_METADATA_SERVICE_TIMEOUT=\(value)", "\(relativeVar)=/creds"], fragment)
        expectRefused(["AWS_METADATA_SERVICE_TIMEOUT=\(value)", "AWS_EC2_METADATA_DISABLED=true"], fragment)
    }

    @Test(arguments: ["0", "21", "-1", "three", "1.5", " 3", "3 ", "99999999999999999999"])
    func badAttempts(_ value: String) {
        let fragment = "AWS_METADATA_SERVICE_NUM_ATTEMPTS must be a whole number from 1 to 20"
        expectRefused(["AWS_METADATA_SERVICE_NUM_ATTEMPTS=\(value)"], fragment)
        expectRefused(["AWS_METADATA_SERVICE_NUM_ATTEMPTS=\(value)", "\(fullVar)=http://127.0.0.1/"], fragment) { $0.source = .container }
    }
}

@Suite("Settings.resolve: container")
struct ContainerSourceConfigTests {
    @Test func relativeURI() throws {
        #expect(try resolve(["\(relativeVar)=/v2/credentials/abc-123"]) ==
            .container(ContainerConfig(url: HTTPURL(host: "169.254.170.2", path: "/v2/credentials/abc-123"),
                                       authorization: .none, timeoutMillis: 1000, attempts: 3)))
    }

    @Test(arguments: [
        // (environment, --source, container chosen)
        (["\(relativeVar)=/creds"], Options.Source.auto, true),
        (["\(fullVar)=http://127.0.0.1:8080/creds"], .auto, true),
        (["\(relativeVar)=/creds"], .imds, false),
        (["\(fullVar)=http://127.0.0.1/"], .imds, false),
        ([], .auto, false),
        (["\(relativeVar)=", "\(fullVar)="], .auto, false),
        (["AWS_CONTAINER_AUTHORIZATION_TOKEN=t"], .auto, false),
    ] as [([String], Options.Source, Bool)])
    func selection(_ env: [String], _ source: Options.Source, _ isContainer: Bool) throws {
        let config = try resolve(env) { $0.source = source }
        if case .container = config { #expect(isContainer) } else { #expect(!isContainer) }
    }

    @Test func containerNeedsItsVariables() {
        expectRefused([], "--source container needs AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or AWS_CONTAINER_CREDENTIALS_FULL_URI") {
            $0.source = .container
        }
    }

    @Test func relativeWinsOverFull() throws {
        let c = try container(["\(fullVar)=http://127.0.0.1:9/full", "\(relativeVar)=/relative"])
        #expect(c.url == HTTPURL(host: "169.254.170.2", path: "/relative"))
        // even when the full URI would be refused
        let d = try container(["\(fullVar)=http://example.com/full", "\(relativeVar)=/relative"])
        #expect(d.url.host == "169.254.170.2")
    }

    @Test(arguments: [
        ("/creds?x=1#frag", "/creds?x=1"),
        ("/", "/"),
        ("//double", "//double"),
    ])
    func relativePaths(_ relative: String, _ path: String) throws {
        #expect(try container(["\(relativeVar)=\(relative)"]).url == HTTPURL(host: "169.254.170.2", path: path))
    }

    @Test(arguments: [
        ("v2/credentials", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must start with /"),
        ("@evil.com/x", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must start with /"),
        (":8080/x", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must start with /"),
        ("/a b", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: invalid URL (bad character in path)"),
        ("/a\r\nHost: evil", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: invalid URL (bad character in path)"),
    ])
    func badRelative(_ relative: String, _ fragment: String) {
        expectRefused(["\(relativeVar)=\(relative)"], fragment)
    }

    @Test(arguments: [
        ("http://127.0.0.1/", "127.0.0.1", 80),
        ("http://127.0.0.1:51679/creds", "127.0.0.1", 51679),
        ("http://127.1.2.3/", "127.1.2.3", 80),
        ("http://127.255.255.255/", "127.255.255.255", 80),
        ("http://localhost/", "localhost", 80),
        ("http://LOCALHOST:8080/", "localhost", 8080),
        ("http://[::1]/", "::1", 80),
        ("http://[::1]:8080/x", "::1", 8080),
        ("http://169.254.170.2/v2/credentials", "169.254.170.2", 80),
        ("http://169.254.170.23/v1/credentials", "169.254.170.23", 80),
        ("http://[fd00:ec2::23]/v1/credentials", "fd00:ec2::23", 80),
        ("http://[FD00:EC2::23]:80/v1/credentials", "fd00:ec2::23", 80),
    ] as [(String, String, UInt16)])
    func allowedFullURIs(_ uri: String, _ host: String, _ port: UInt16) throws {
        let c = try container(["\(fullVar)=\(uri)"])
        #expect(c.url.host == host && c.url.port == port)
        #expect(ContainerConfig.isAllowedHost(host))
    }

    @Test(arguments: [
        "http://example.com/", "http://10.0.0.1/", "http://169.254.169.254/", "http://169.254.170.3/",
        "http://169.254.170.22/", "http://127.0.0.1.example.com/", "http://localhost.example.com/", "http://evil-localhost/",
        "http://127.0.0.256/", "http://127.0.0/", "http://127.0.0.1.1/", "http://127..0.1/", "http://0.0.0.0/",
        "http://[::2]/", "http://[fd00:ec2::24]/", "http://[fd00:ec2::254]/", "http://1270.0.0.1/", "http://128.0.0.1/",
        "http://[::ffff:10.0.0.1]/",
    ])
    func refusedFullURIs(_ uri: String) throws {
        expectRefused(["\(fullVar)=\(uri)"], "is not allowed over http")
        let host = try HTTPURL.parse(uri).host
        #expect(!ContainerConfig.isAllowedHost(host))
    }

    @Test(arguments: [
        ("ftp://127.0.0.1/", "AWS_CONTAINER_CREDENTIALS_FULL_URI: invalid URL"),
        ("127.0.0.1/creds", "AWS_CONTAINER_CREDENTIALS_FULL_URI: invalid URL"),
        ("http://user@127.0.0.1/", "AWS_CONTAINER_CREDENTIALS_FULL_URI: invalid URL (user information is not allowed)"),
    ])
    func badFullURIs(_ uri: String, _ fragment: String) {
        expectRefused(["\(fullVar)=\(uri)"], fragment)
    }

    @Test(arguments: [
        ("https://ecs.example.com/creds", "ecs.example.com", UInt16(443), "/creds"),
        ("HTTPS://10.0.0.1:8443/v1?x=1", "10.0.0.1", UInt16(8443), "/v1?x=1"),
        ("https://[2001:db8::1]/", "2001:db8::1", UInt16(443), "/"),
    ])
    func httpsFullURIsMayNameAnyHost(_ uri: String, _ host: String, _ port: UInt16, _ path: String) throws {
        let url = try container(["\(fullVar)=\(uri)"]).url
        #expect(url == HTTPURL(host: host, port: port, path: path, scheme: .https))
    }

    @Test(arguments: [
        // (environment, authorization)
        ([], ContainerConfig.Authorization.none),
        (["AWS_CONTAINER_AUTHORIZATION_TOKEN=Basic abc=="], .token(Secret("Basic abc=="))),
        (["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token"],
         .tokenFile("/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token")),
        (["AWS_CONTAINER_AUTHORIZATION_TOKEN=t", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=/f"], .tokenFile("/f")),
        (["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=/f", "AWS_CONTAINER_AUTHORIZATION_TOKEN=bad\ntoken"], .tokenFile("/f")),
        (["AWS_CONTAINER_AUTHORIZATION_TOKEN="], .none),
        (["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=", "AWS_CONTAINER_AUTHORIZATION_TOKEN=t"], .token(Secret("t"))),
    ] as [([String], ContainerConfig.Authorization)])
    func authorization(_ env: [String], _ expected: ContainerConfig.Authorization) throws {
        #expect(try container(env + ["\(fullVar)=http://127.0.0.1:1/"]).authorization == expected)
    }

    @Test(arguments: ["\(Fixture.token)\n", "\(Fixture.token)\r\nX-Injected: 1", "\r\(Fixture.token)", "\(Fixture.token)\u{0}",
                      "\(Fixture.token)\u{7F}", "\u{1B}\(Fixture.token)"])
    func tokenWithControlCharactersIsRefused(_ token: String) {
        do {
            let config = try resolve(["\(relativeVar)=/creds", "AWS_CONTAINER_AUTHORIZATION_TOKEN=\(token)"])
            Issue.record("accepted: \(config)")
        } catch {
            #expect(error.description.contains("AWS_CONTAINER_AUTHORIZATION_TOKEN contains a line break or control character"))
            #expect(!error.description.contains(Fixture.token), "the token leaked into the message")
        }
    }
}

@Suite("EnvironmentLookup")
struct EnvironmentLookupTests {
    @Test(arguments: [
        (["A=1"], "A", "1"),
        (["A=1", "A=2"], "A", "1"),
        (["A="], "A", nil),
        (["A=", "A=2"], "A", nil),
        (["AB=1"], "A", nil),
        (["A"], "A", nil),
        (["A==x"], "A", "=x"),
        (["a=1"], "A", nil),
        ([], "A", nil),
    ] as [([String], String, String?)])
    func lookups(_ entries: [String], _ name: String, _ value: String?) {
        #expect(EnvironmentLookup(entries)[name] == value)
    }
}
