import Testing
@testable import RoleCreds

/// Names in order, and the values by name, of an `envp`.
private struct Env {
    let entries: [String]
    var names: [String] { entries.map { String($0.prefix { $0 != "=" }) } }
    subscript(name: String) -> String? {
        entries.first { $0.hasPrefix(name + "=") }.map { String($0.dropFirst(name.count + 1)) }
    }
    func count(_ name: String) -> Int { names.filter { $0 == name }.count }
}

private func build(_ inherited: [String], supply: ChildEnvironment.Supply = .keys(Fixture.credentials),
                   region: String? = "eu-west-1", setRegion: Bool = true) -> Env {
    Env(entries: ChildEnvironment.build(inherited: inherited, supply: supply, region: region, setRegion: setRegion))
}

private let endpointSupply = ChildEnvironment.Supply.endpoint(url: "http://127.0.0.1:4242/credentials",
                                                             token: Secret("endpoint-token-0123"), accountId: "123456789012")

/// Everything the spec says must go, with values that must not survive.
private let stale: [String] = [
    "AWS_PROFILE=dev", "AWS_DEFAULT_PROFILE=dev", "AWS_ACCESS_KEY_ID=AKIAOLDOLDOLDOLD", "AWS_SECRET_ACCESS_KEY=old-secret",
    "AWS_SESSION_TOKEN=old-token", "AWS_SECURITY_TOKEN=old-token", "AWS_CREDENTIAL_EXPIRATION=2000-01-01T00:00:00Z",
    "AWS_ACCOUNT_ID=000000000000", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/old", "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://old/",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN=old-auth", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=/old/token",
    "AWS_CONTAINER_SOMETHING_NEW=x", "AWS_WEB_IDENTITY_TOKEN_FILE=/var/run/token", "AWS_ROLE_ARN=arn:aws:iam::000000000000:role/old",
    "AWS_ROLE_SESSION_NAME=old-session",
]

private let ordinary = ["PATH=/usr/bin:/bin", "HOME=/root", "LANG=C.UTF-8", "AWS_CONFIG_FILE=/etc/aws/config", "EMPTY=",
                        "WITH_EQUALS=a=b=c", "AWS_PROFILE_EXTRA=kept", "MY_AWS_PROFILE=kept", "AWS_CA_BUNDLE=/etc/ca.pem"]

@Suite("ChildEnvironment.build")
struct ChildEnvironmentTests {
    @Test func injectsTheKeys() {
        let env = build(ordinary)
        #expect(env["AWS_ACCESS_KEY_ID"] == Fixture.keyId)
        #expect(env["AWS_SECRET_ACCESS_KEY"] == Fixture.secret)
        #expect(env["AWS_SESSION_TOKEN"] == Fixture.token)
        #expect(env["AWS_SECURITY_TOKEN"] == Fixture.token)
        #expect(env["AWS_CREDENTIAL_EXPIRATION"] == "2024-06-01T06:00:00Z")
        #expect(env["AWS_ACCOUNT_ID"] == "123456789012")
    }

    @Test func noAccountIdWhenUnknown() {
        var c = Fixture.credentials
        c.accountId = nil
        let env = build(["AWS_ACCOUNT_ID=000000000000"], supply: .keys(c))
        #expect(env.count("AWS_ACCOUNT_ID") == 0)
    }

    @Test func keepsOrdinaryVariablesInOrder() {
        let env = build(ordinary)
        #expect(Array(env.entries.prefix(ordinary.count)) == ordinary)
    }

    static let removedNames = stale.map { String($0.prefix { $0 != "=" }) }

    @Test(arguments: removedNames)
    func removesStaleVariables(_ name: String) {
        for supply in [ChildEnvironment.Supply.keys(Fixture.credentials), endpointSupply] {
            let env = build(ordinary + stale, supply: supply)
            let oldValue = stale.first { $0.hasPrefix(name + "=") }!.dropFirst(name.count + 1)
            #expect(env[name] != String(oldValue), "\(name) kept its inherited value")
            #expect(env.count(name) <= 1)
        }
    }

    @Test func replacedNamesAppearOnceWithTheNewValue() {
        let env = build(stale + ordinary)
        for name in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
                     "AWS_CREDENTIAL_EXPIRATION", "AWS_ACCOUNT_ID"] {
            #expect(env.count(name) == 1, "\(name)")
        }
        for name in ["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME"] {
            #expect(env.count(name) == 0, "\(name)")
        }
        #expect(!env.names.contains { $0.hasPrefix("AWS_CONTAINER_") })
        for kept in ["AWS_PROFILE_EXTRA", "MY_AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_CA_BUNDLE"] { #expect(env.count(kept) == 1) }
    }

    @Test func dropsDuplicatesAndMalformedEntries() {
        let env = build(["X=1", "X=2", "NOEQUALS", "=value", "Y=", "Y=later", "AWS_PROFILE=a", "AWS_PROFILE=b", "X=3"])
        #expect(env["X"] == "1")
        #expect(env.count("X") == 1)
        #expect(env["Y"] == "")
        #expect(env.count("Y") == 1)
        #expect(!env.entries.contains("NOEQUALS") && !env.entries.contains("=value"))
        #expect(env.count("AWS_PROFILE") == 0)
    }

    struct RegionCase: Sendable, CustomTestStringConvertible {
        let name: String
        let inherited: [String]
        let source: String?
        let setRegion: Bool
        let region: String?
        let defaultRegion: String?
        var testDescription: String { name }
    }

    static let regionCases: [RegionCase] = [
        RegionCase(name: "neither set: both from the source", inherited: [], source: "eu-west-1", setRegion: true,
                   region: "eu-west-1", defaultRegion: "eu-west-1"),
        RegionCase(name: "neither set, source unknown", inherited: [], source: nil, setRegion: true, region: nil, defaultRegion: nil),
        RegionCase(name: "only AWS_REGION: copied", inherited: ["AWS_REGION=us-east-1"], source: "eu-west-1", setRegion: true,
                   region: "us-east-1", defaultRegion: "us-east-1"),
        RegionCase(name: "only AWS_DEFAULT_REGION: copied", inherited: ["AWS_DEFAULT_REGION=ap-south-1"], source: "eu-west-1",
                   setRegion: true, region: "ap-south-1", defaultRegion: "ap-south-1"),
        RegionCase(name: "only AWS_REGION, source unknown", inherited: ["AWS_REGION=us-east-1"], source: nil, setRegion: true,
                   region: "us-east-1", defaultRegion: "us-east-1"),
        RegionCase(name: "both set: left alone", inherited: ["AWS_REGION=us-east-1", "AWS_DEFAULT_REGION=us-west-2"],
                   source: "eu-west-1", setRegion: true, region: "us-east-1", defaultRegion: "us-west-2"),
        RegionCase(name: "both empty: both from the source", inherited: ["AWS_REGION=", "AWS_DEFAULT_REGION="],
                   source: "eu-west-1", setRegion: true, region: "eu-west-1", defaultRegion: "eu-west-1"),
        RegionCase(name: "empty AWS_REGION, AWS_DEFAULT_REGION set", inherited: ["AWS_REGION=", "AWS_DEFAULT_REGION=sa-east-1"],
                   source: "eu-west-1", setRegion: true, region: "sa-east-1", defaultRegion: "sa-east-1"),
        RegionCase(name: "AWS_REGION set, empty AWS_DEFAULT_REGION", inherited: ["AWS_REGION=us-east-1", "AWS_DEFAULT_REGION="],
                   source: "eu-west-1", setRegion: true, region: "us-east-1", defaultRegion: "us-east-1"),
        RegionCase(name: "first of two AWS_REGION entries counts", inherited: ["AWS_REGION=us-east-1", "AWS_REGION=us-west-1"],
                   source: "eu-west-1", setRegion: true, region: "us-east-1", defaultRegion: "us-east-1"),
        RegionCase(name: "--no-region, neither set", inherited: [], source: "eu-west-1", setRegion: false, region: nil,
                   defaultRegion: nil),
        RegionCase(name: "--no-region, only AWS_REGION", inherited: ["AWS_REGION=us-east-1"], source: "eu-west-1",
                   setRegion: false, region: "us-east-1", defaultRegion: nil),
        RegionCase(name: "--no-region, empty AWS_REGION kept as it is", inherited: ["AWS_REGION="], source: "eu-west-1",
                   setRegion: false, region: "", defaultRegion: nil),
        RegionCase(name: "--no-region, both set", inherited: ["AWS_REGION=a", "AWS_DEFAULT_REGION=b"], source: "eu-west-1",
                   setRegion: false, region: "a", defaultRegion: "b"),
    ]

    @Test(arguments: regionCases)
    func region(_ c: RegionCase) {
        for supply in [ChildEnvironment.Supply.keys(Fixture.credentials), endpointSupply] {
            let env = build(["PATH=/bin"] + c.inherited, supply: supply, region: c.source, setRegion: c.setRegion)
            #expect(env["AWS_REGION"] == c.region)
            #expect(env["AWS_DEFAULT_REGION"] == c.defaultRegion)
            #expect(env.count("AWS_REGION") <= 1 && env.count("AWS_DEFAULT_REGION") <= 1)
        }
    }

    @Test func endpointSupplyHasNoStaticKeys() {
        let env = build(stale + ordinary, supply: endpointSupply)
        #expect(env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] == "http://127.0.0.1:4242/credentials")
        #expect(env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] == "endpoint-token-0123")
        #expect(env["AWS_ACCOUNT_ID"] == "123456789012")
        for name in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
                     "AWS_CREDENTIAL_EXPIRATION"] {
            #expect(env.count(name) == 0, "\(name) must not be set with --serve")
        }
        // These would outrank the served endpoint or its token in the SDKs.
        #expect(env.count("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") == 0)
        #expect(env.count("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") == 0)
        #expect(env.count("AWS_CONTAINER_CREDENTIALS_FULL_URI") == 1)
        #expect(env.count("AWS_CONTAINER_AUTHORIZATION_TOKEN") == 1)
        #expect(!env.entries.contains { $0.contains(Fixture.secret) || $0.contains(Fixture.token) })
    }

    @Test func endpointSupplyWithoutAccount() {
        let supply = ChildEnvironment.Supply.endpoint(url: "http://127.0.0.1:1/credentials", token: Secret("t"), accountId: nil)
        #expect(build(["AWS_ACCOUNT_ID=000000000000"], supply: supply).count("AWS_ACCOUNT_ID") == 0)
    }

    static let inheritedSets: [[String]] = [
        [], ordinary, stale, stale + ordinary, ordinary + stale + stale + ordinary,
        ["AWS_REGION=", "AWS_DEFAULT_REGION=", "AWS_REGION=x", "AWS_DEFAULT_REGION=y"],
        ["AWS_REGION=r"], ["AWS_DEFAULT_REGION=d", "AWS_DEFAULT_REGION=e"],
    ]

    /// No variable appears twice, whatever came in and however the environment is supplied.
    @Test(arguments: inheritedSets)
    func noDuplicateNames(_ inherited: [String]) {
        for supply in [ChildEnvironment.Supply.keys(Fixture.credentials), endpointSupply] {
            for setRegion in [true, false] {
                for region in ["eu-west-1", nil] as [String?] {
                    let env = build(inherited, supply: supply, region: region, setRegion: setRegion)
                    #expect(Set(env.names).count == env.names.count, "duplicates in \(env.names)")
                    #expect(env.entries.allSatisfy { $0.contains("=") && !$0.hasPrefix("=") })
                }
            }
        }
    }

    @Test func inheritedArrayIsNotModified() {
        let inherited = stale + ordinary
        let copy = inherited
        _ = ChildEnvironment.build(inherited: inherited, supply: .keys(Fixture.credentials), region: "x", setRegion: true)
        #expect(inherited == copy)
    }
}
