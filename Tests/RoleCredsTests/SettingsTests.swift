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

// MARK: the profile as a layer of its own (spec §1, §8): flag > environment > profile > default

private let configPath = "/h/.aws/config"
private let credentialsPath = "/h/.aws/credentials"

/// Resolves with the shared files given as text (paths only name them).
private func withProfile(_ config: String, credentials: String? = nil, _ env: [String],
                         _ edit: (inout Options) -> Void = { _ in }) throws -> Settings {
    var options = Options()
    options.command = ["cmd"]
    edit(&options)
    let set = try ConfigFile.parse(configText: config, credentialsText: credentials,
                                   configPath: configPath, credentialsPath: credentialsPath)
    return try Settings.resolve(options, environment: EnvironmentLookup(env), profiles: set)
}

private func fromDev(_ key: String, file: String = configPath) -> SettingOrigin {
    .profile(key: key, profile: "dev", file: file)
}

private let devIMDS = """
    [profile dev]
    region = eu-west-1
    ec2_metadata_service_endpoint = http://127.0.0.1:1338
    ec2_metadata_v1_disabled = true
    metadata_service_timeout = 5
    metadata_service_num_attempts = 7
    """

@Suite("Settings.resolve: the profile layer and origins")
struct ProfileLayerTests {
    @Test(arguments: [
        // (environment, --timeout, --attempts, timeout, its origin, attempts, its origin)
        (["AWS_PROFILE=dev"], nil, nil, 5000, fromDev("metadata_service_timeout"), 7, fromDev("metadata_service_num_attempts")),
        (["AWS_PROFILE=dev", "AWS_METADATA_SERVICE_TIMEOUT=2", "AWS_METADATA_SERVICE_NUM_ATTEMPTS=4"], nil, nil,
         2000, .environment("AWS_METADATA_SERVICE_TIMEOUT"), 4, .environment("AWS_METADATA_SERVICE_NUM_ATTEMPTS")),
        (["AWS_PROFILE=dev", "AWS_METADATA_SERVICE_TIMEOUT=2", "AWS_METADATA_SERVICE_NUM_ATTEMPTS=4"], 300, 1,
         300, .flag("--timeout"), 1, .flag("--attempts")),
        // An empty variable is unset: the profile applies.
        (["AWS_PROFILE=dev", "AWS_METADATA_SERVICE_TIMEOUT="], nil, nil, 5000, fromDev("metadata_service_timeout"), 7, fromDev("metadata_service_num_attempts")),
        // Another profile, without these keys: the defaults.
        (["AWS_PROFILE=other"], nil, nil, 1000, .defaultValue, 3, .defaultValue),
    ] as [([String], Int64?, Int?, Int64, SettingOrigin, Int, SettingOrigin)])
    func timeoutAndAttempts(_ env: [String], _ timeout: Int64?, _ attempts: Int?, _ expectedTimeout: Int64, _ timeoutOrigin: SettingOrigin,
                            _ expectedAttempts: Int, _ attemptsOrigin: SettingOrigin) throws {
        let s = try withProfile(devIMDS + "\n[profile other]\noutput = json\n", env) { $0.timeoutMillis = timeout; $0.attempts = attempts }
        #expect(s.timeoutMillis == Setting(expectedTimeout, timeoutOrigin))
        #expect(s.attempts == Setting(expectedAttempts, attemptsOrigin))
        guard case .imds(let config) = s.source.value else { Issue.record("not IMDS: \(s.source)"); return }
        #expect(config.timeoutMillis == expectedTimeout && config.attempts == expectedAttempts)
    }

    @Test(arguments: [
        // (extra profile lines, environment, --imds-endpoint, endpoint, origin)
        ("", [], nil, "http://127.0.0.1:1338/", fromDev("ec2_metadata_service_endpoint")),
        ("", ["\(endpointVar)=http://127.0.0.2:2"], nil, "http://127.0.0.2:2/", .environment(endpointVar)),
        ("", ["\(endpointVar)=http://127.0.0.2:2"], "http://127.0.0.3:3", "http://127.0.0.3:3/", .flag("--imds-endpoint")),
        // An endpoint anywhere beats a mode anywhere (imds-endpoint-tests.json).
        ("", ["\(modeVar)=IPv6"], nil, "http://127.0.0.1:1338/", fromDev("ec2_metadata_service_endpoint")),
    ] as [(String, [String], String?, String, SettingOrigin)])
    func endpoint(_ extra: String, _ env: [String], _ flag: String?, _ url: String, _ origin: SettingOrigin) throws {
        let s = try withProfile(devIMDS + extra, ["AWS_PROFILE=dev"] + env) { $0.imdsEndpoint = flag }
        guard case .imds(let config) = s.source.value else { Issue.record("not IMDS: \(s.source)"); return }
        #expect(config.endpoint.description == url)
        #expect(s.imdsEndpointOrigin == origin)
    }

    @Test(arguments: [
        // (profile mode, environment, endpoint, origin)
        ("IPv6", [], "http://[fd00:ec2::254]/", fromDev("ec2_metadata_service_endpoint_mode")),
        ("ipv6", ["\(modeVar)=IPv4"], "http://169.254.169.254/", .environment(modeVar)),
    ] as [(String, [String], String, SettingOrigin)])
    func mode(_ mode: String, _ env: [String], _ url: String, _ origin: SettingOrigin) throws {
        let s = try withProfile("[profile dev]\nec2_metadata_service_endpoint_mode = \(mode)\n", ["AWS_PROFILE=dev"] + env)
        guard case .imds(let config) = s.source.value else { Issue.record("not IMDS: \(s.source)"); return }
        #expect(config.endpoint.description == url)
        #expect(s.imdsEndpointOrigin == origin)
    }

    @Test func v1DisabledAndRegion() throws {
        let s = try withProfile(devIMDS, ["AWS_PROFILE=dev"])
        #expect(s.imdsV1Disabled == Setting(true, fromDev("ec2_metadata_v1_disabled")))
        #expect(s.region == Setting("eu-west-1", fromDev("region")))
        let overridden = try withProfile(devIMDS, ["AWS_PROFILE=dev", "AWS_EC2_METADATA_V1_DISABLED=false", "AWS_DEFAULT_REGION=us-west-2"])
        #expect(overridden.imdsV1Disabled == Setting(false, .environment("AWS_EC2_METADATA_V1_DISABLED")))
        #expect(overridden.region == Setting("us-west-2", .environment("AWS_DEFAULT_REGION")))
        guard case .imds(let config) = overridden.source.value else { Issue.record("not IMDS"); return }
        #expect(!config.v1Disabled)
    }

    @Test func aValueInTheCredentialsFileNamesThatFile() throws {
        let s = try withProfile("[profile dev]\nregion = eu-west-1\n", credentials: "[dev]\nmetadata_service_timeout = 3\n", ["AWS_PROFILE=dev"])
        #expect(s.timeoutMillis == Setting(3000, fromDev("metadata_service_timeout", file: credentialsPath)))
        #expect(s.timeoutMillis.origin.description == "metadata_service_timeout of profile dev in /h/.aws/credentials")
        #expect(s.profile == ProfileSelection(name: "dev", origin: .awsProfile))
        #expect(s.profileFiles == [configPath, credentialsPath])
    }

    @Test func noProfileNoProfileInfo() throws {
        let s = try withProfile("[profile dev]\nregion = eu-west-1\n", [])
        #expect(s.profile == nil && s.profileFiles.isEmpty && s.region == nil)
    }

    @Test(arguments: [
        ("metadata_service_timeout = soon", "metadata_service_timeout of profile dev in /h/.aws/config must be a number of seconds, not 'soon'"),
        ("metadata_service_num_attempts = 0", "metadata_service_num_attempts of profile dev in /h/.aws/config must be a whole number from 1 to 20, not '0'"),
        ("ec2_metadata_v1_disabled = yes", "ec2_metadata_v1_disabled of profile dev in /h/.aws/config must be true or false, not 'yes'"),
        ("ec2_metadata_service_endpoint_mode = IPv5", "ec2_metadata_service_endpoint_mode of profile dev in /h/.aws/config must be IPv4 or IPv6, not 'IPv5'"),
        ("ec2_metadata_service_endpoint = https://x", "ec2_metadata_service_endpoint of profile dev in /h/.aws/config: https endpoints are not supported"),
    ])
    func badProfileValuesNameKeyProfileAndFile(_ line: String, _ message: String) throws {
        do {
            let s = try withProfile("[profile dev]\n\(line)\n", ["AWS_PROFILE=dev"])
            Issue.record("accepted: \(s)")
        } catch {
            #expect("\(error)".hasPrefix(message), "\(error)")
        }
    }

    @Test func aBadProfileValueAVariableOverridesIsNotChecked() throws {
        // As the SDKs: only the value that wins is read.
        let s = try withProfile("[profile dev]\nmetadata_service_timeout = soon\n", ["AWS_PROFILE=dev", "AWS_METADATA_SERVICE_TIMEOUT=2"])
        #expect(s.timeoutMillis == Setting(2000, .environment("AWS_METADATA_SERVICE_TIMEOUT")))
    }

    @Test func aChainsOriginsNameEachProfileAndFile() throws {
        let config = """
            [profile deploy]
            role_arn = arn:aws:iam::111122223333:role/deploy
            source_profile = ops
            endpoint_url = http://127.0.0.1:4566
            ca_bundle = /etc/ca.pem
            [profile ops]
            role_arn = arn:aws:iam::111122223333:role/ops
            source_profile = base
            """
        let s = try withProfile(config, credentials: "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = s3cr3t\n",
                                ["AWS_PROFILE=deploy"]) { $0.assumeRoleArn = "arn:aws:iam::111122223333:role/last" }
        #expect(s.source.origin == .profile(key: "aws_access_key_id", profile: "base", file: credentialsPath))
        #expect(s.hops.map(\.origin) == [.profile(key: "role_arn", profile: "ops", file: configPath),
                                         .profile(key: "role_arn", profile: "deploy", file: configPath), .flag("--assume-role")])
        #expect(s.stsOrigin == .profile(key: "endpoint_url", profile: "deploy", file: configPath))
        #expect(s.caBundle == Setting("/etc/ca.pem", .profile(key: "ca_bundle", profile: "deploy", file: configPath)))
        let env = try withProfile(config, credentials: "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = s3cr3t\n",
                                  ["AWS_PROFILE=deploy", "AWS_ENDPOINT_URL_STS=http://127.0.0.1:9", "AWS_CA_BUNDLE=/x.pem"])
        #expect(env.stsOrigin == .environment("AWS_ENDPOINT_URL_STS"))
        #expect(env.caBundle == Setting("/x.pem", .environment("AWS_CA_BUNDLE")))
    }

    @Test func theServicesSectionAndTheProfilesEndpointKeysChooseSTS() throws {
        let config = """
            [profile dev]
            role_arn = arn:aws:iam::111122223333:role/dev
            credential_source = Ec2InstanceMetadata
            region = us-gov-west-1
            services = local
            [services local]
            s3 =
              endpoint_url = http://127.0.0.1:1
            sts =
              endpoint_url = http://127.0.0.1:4566
            [profile fips]
            role_arn = arn:aws:iam::111122223333:role/fips
            credential_source = Ec2InstanceMetadata
            region = us-gov-west-1
            use_fips_endpoint = true
            sts_regional_endpoints = legacy
            """
        let s = try withProfile(config, ["AWS_PROFILE=dev"])
        #expect(s.sts?.description == "http://127.0.0.1:4566/")
        #expect(s.stsOrigin == .profile(key: "sts.endpoint_url", profile: "services local", file: configPath))
        #expect(s.notes.isEmpty)
        let ignored = try withProfile(config, ["AWS_PROFILE=dev", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true"])
        #expect(ignored.sts?.description == "https://sts.us-gov-west-1.amazonaws.com/")
        let fips = try withProfile(config, ["AWS_PROFILE=fips"])
        #expect(fips.sts?.description == "https://sts.us-gov-west-1.amazonaws.com/" && fips.sts?.origin == "region us-gov-west-1 (FIPS)")
        #expect(fips.notes == ["sts_regional_endpoints of profile fips in \(configPath) = legacy is not supported: STS is called at the regional endpoint (or the global one when no region is set)"])
        let east = try withProfile(config, ["AWS_PROFILE=fips", "AWS_REGION=us-east-1"])
        #expect(east.sts?.description == "https://sts-fips.us-east-1.amazonaws.com/")
    }

    @Test func credentialSourceOriginNamesTheProfile() throws {
        let s = try withProfile("[profile dev]\nrole_arn = arn:aws:iam::111122223333:role/r\ncredential_source = Ec2InstanceMetadata\n", ["AWS_PROFILE=dev"])
        #expect(s.source.origin == fromDev("credential_source"))
        #expect(s.source.origin.description == "credential_source of profile dev in /h/.aws/config")
    }
}
