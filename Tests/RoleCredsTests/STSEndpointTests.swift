import Testing
@testable import RoleCreds

struct EndpointCase: Sendable, CustomTestStringConvertible {
    var name: String
    var env: [String] = []
    var profile: String?
    var region: String?
    /// The profile's other endpoint keys.
    var keys = STSEndpoint.ProfileKeys()
    /// The URL, signing region and origin expected, or nil for a usage error.
    var expected: (url: String, region: String, origin: String)?
    var testDescription: String { name }
}

private let endpointCases: [EndpointCase] = [
    EndpointCase(name: "no region: global, us-east-1", expected: ("https://sts.amazonaws.com/", "us-east-1", "default")),
    EndpointCase(name: "region: regional", region: "eu-west-1", expected: ("https://sts.eu-west-1.amazonaws.com/", "eu-west-1", "region eu-west-1")),
    EndpointCase(name: "China", region: "cn-north-1", expected: ("https://sts.cn-north-1.amazonaws.com.cn/", "cn-north-1", "region cn-north-1")),
    EndpointCase(name: "GovCloud", region: "us-gov-west-1", expected: ("https://sts.us-gov-west-1.amazonaws.com/", "us-gov-west-1", "region us-gov-west-1")),
    EndpointCase(name: "ISO", region: "us-iso-east-1", expected: ("https://sts.us-iso-east-1.c2s.ic.gov/", "us-iso-east-1", "region us-iso-east-1")),
    EndpointCase(name: "ISOB", region: "us-isob-east-1", expected: ("https://sts.us-isob-east-1.sc2s.sgov.gov/", "us-isob-east-1", "region us-isob-east-1")),
    EndpointCase(name: "FIPS", env: ["AWS_USE_FIPS_ENDPOINT=TRUE"], region: "us-west-2",
                 expected: ("https://sts-fips.us-west-2.amazonaws.com/", "us-west-2", "region us-west-2 (FIPS)")),
    EndpointCase(name: "FIPS in China", env: ["AWS_USE_FIPS_ENDPOINT=true"], region: "cn-northwest-1",
                 expected: ("https://sts-fips.cn-northwest-1.amazonaws.com.cn/", "cn-northwest-1", "region cn-northwest-1 (FIPS)")),
    // The endpoint rules have no global FIPS or dual-stack host (botocore's aws-global gives sts-fips.aws-global…,
    // which does not exist): a region is needed.
    EndpointCase(name: "FIPS without a region", env: ["AWS_USE_FIPS_ENDPOINT=true"], expected: nil),
    EndpointCase(name: "dual-stack without a region", env: ["AWS_USE_DUALSTACK_ENDPOINT=true"], expected: nil),
    EndpointCase(name: "FIPS in GovCloud is the regional host", env: ["AWS_USE_FIPS_ENDPOINT=true"], region: "us-gov-west-1",
                 expected: ("https://sts.us-gov-west-1.amazonaws.com/", "us-gov-west-1", "region us-gov-west-1 (FIPS)")),
    EndpointCase(name: "dual-stack", env: ["AWS_USE_DUALSTACK_ENDPOINT=true"], region: "us-west-2",
                 expected: ("https://sts.us-west-2.api.aws/", "us-west-2", "region us-west-2 (dual-stack)")),
    EndpointCase(name: "FIPS and dual-stack", env: ["AWS_USE_DUALSTACK_ENDPOINT=true", "AWS_USE_FIPS_ENDPOINT=true"], region: "eu-west-1",
                 expected: ("https://sts-fips.eu-west-1.api.aws/", "eu-west-1", "region eu-west-1 (FIPS, dual-stack)")),
    EndpointCase(name: "FIPS and dual-stack in GovCloud", env: ["AWS_USE_DUALSTACK_ENDPOINT=true", "AWS_USE_FIPS_ENDPOINT=true"], region: "us-gov-east-1",
                 expected: ("https://sts-fips.us-gov-east-1.api.aws/", "us-gov-east-1", "region us-gov-east-1 (FIPS, dual-stack)")),
    EndpointCase(name: "dual-stack in China", env: ["AWS_USE_DUALSTACK_ENDPOINT=true"], region: "cn-north-1",
                 expected: ("https://sts.cn-north-1.api.amazonwebservices.com.cn/", "cn-north-1", "region cn-north-1 (dual-stack)")),
    EndpointCase(name: "dual-stack in ISO: none", env: ["AWS_USE_DUALSTACK_ENDPOINT=true"], region: "us-iso-east-1", expected: nil),
    EndpointCase(name: "profile use_fips_endpoint", region: "us-east-2", keys: .init(useFIPS: "true"),
                 expected: ("https://sts-fips.us-east-2.amazonaws.com/", "us-east-2", "region us-east-2 (FIPS)")),
    EndpointCase(name: "the variable beats use_fips_endpoint", env: ["AWS_USE_FIPS_ENDPOINT=false"], region: "us-east-2", keys: .init(useFIPS: "true"),
                 expected: ("https://sts.us-east-2.amazonaws.com/", "us-east-2", "region us-east-2")),
    EndpointCase(name: "profile use_dualstack_endpoint", region: "ap-south-1", keys: .init(useDualStack: "TRUE"),
                 expected: ("https://sts.ap-south-1.api.aws/", "ap-south-1", "region ap-south-1 (dual-stack)")),
    EndpointCase(name: "use_fips_endpoint not a boolean", region: "us-east-2", keys: .init(useFIPS: "yes"), expected: nil),
    EndpointCase(name: "services sts endpoint_url beats the profile's endpoint_url", profile: "https://profile.example", region: "eu-west-1",
                 keys: .init(servicesEndpointURL: "http://127.0.0.1:4566"),
                 expected: ("http://127.0.0.1:4566/", "eu-west-1", "profile services sts endpoint_url")),
    EndpointCase(name: "AWS_ENDPOINT_URL beats services", env: ["AWS_ENDPOINT_URL=http://127.0.0.1:1/"],
                 keys: .init(servicesEndpointURL: "http://127.0.0.1:4566"), expected: ("http://127.0.0.1:1/", "us-east-1", "AWS_ENDPOINT_URL")),
    EndpointCase(name: "profile ignore_configured_endpoint_urls", env: ["AWS_ENDPOINT_URL_STS=http://localhost:1"], profile: "http://localhost:2",
                 region: "eu-north-1", keys: .init(servicesEndpointURL: "http://localhost:3", ignoreConfiguredEndpointURLs: "true"),
                 expected: ("https://sts.eu-north-1.amazonaws.com/", "eu-north-1", "region eu-north-1")),
    EndpointCase(name: "the variable beats ignore_configured_endpoint_urls", env: ["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=false"],
                 region: "eu-north-1", keys: .init(servicesEndpointURL: "http://localhost:3", ignoreConfiguredEndpointURLs: "true"),
                 expected: ("http://localhost:3/", "eu-north-1", "profile services sts endpoint_url")),
    EndpointCase(name: "FIPS false", env: ["AWS_USE_FIPS_ENDPOINT=false"], region: "us-west-2",
                 expected: ("https://sts.us-west-2.amazonaws.com/", "us-west-2", "region us-west-2")),
    EndpointCase(name: "FIPS not a boolean", env: ["AWS_USE_FIPS_ENDPOINT=yes"], region: "us-west-2", expected: nil),
    EndpointCase(name: "AWS_ENDPOINT_URL_STS wins", env: ["AWS_ENDPOINT_URL=http://127.0.0.1:1/", "AWS_ENDPOINT_URL_STS=http://localhost:5000"],
                 profile: "https://profile.example", region: "eu-central-1",
                 expected: ("http://localhost:5000/", "eu-central-1", "AWS_ENDPOINT_URL_STS")),
    EndpointCase(name: "AWS_ENDPOINT_URL next", env: ["AWS_ENDPOINT_URL=https://[::1]:8443/base?x=1"], profile: "https://profile.example",
                 expected: ("https://[::1]:8443/base?x=1", "us-east-1", "AWS_ENDPOINT_URL")),
    EndpointCase(name: "profile endpoint_url next", profile: "HTTPS://STS.Example.COM:443", region: "ap-south-1",
                 expected: ("https://sts.example.com/", "ap-south-1", "profile endpoint_url")),
    EndpointCase(name: "empty variables are unset", env: ["AWS_ENDPOINT_URL_STS=", "AWS_ENDPOINT_URL="], profile: "",
                 region: "sa-east-1", expected: ("https://sts.sa-east-1.amazonaws.com/", "sa-east-1", "region sa-east-1")),
    EndpointCase(name: "configured URLs ignored", env: ["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true", "AWS_ENDPOINT_URL_STS=http://localhost:1"],
                 profile: "http://localhost:2", region: "eu-north-1", expected: ("https://sts.eu-north-1.amazonaws.com/", "eu-north-1", "region eu-north-1")),
    EndpointCase(name: "FIPS does not change a configured URL", env: ["AWS_USE_FIPS_ENDPOINT=true", "AWS_ENDPOINT_URL_STS=http://localhost:5000"],
                 expected: ("http://localhost:5000/", "us-east-1", "AWS_ENDPOINT_URL_STS")),
    EndpointCase(name: "not a URL", env: ["AWS_ENDPOINT_URL_STS=localhost:5000"], expected: nil),
    EndpointCase(name: "ftp", env: ["AWS_ENDPOINT_URL_STS=ftp://localhost"], expected: nil),
    EndpointCase(name: "user information", env: ["AWS_ENDPOINT_URL_STS=https://user@sts.amazonaws.com"], expected: nil),
    EndpointCase(name: "no host", env: ["AWS_ENDPOINT_URL_STS=https:///"], expected: nil),
    EndpointCase(name: "bad port", env: ["AWS_ENDPOINT_URL_STS=https://h:99999"], expected: nil),
    EndpointCase(name: "port zero", env: ["AWS_ENDPOINT_URL_STS=https://h:0"], expected: nil),
    EndpointCase(name: "space in the path", env: ["AWS_ENDPOINT_URL_STS=https://h/a b"], expected: nil),
    EndpointCase(name: "region that is not a host label", region: "us-east-1.evil.com/", expected: nil),
    EndpointCase(name: "region upper case", region: "US-EAST-1", expected: nil),
]

@Test("STS endpoint resolution", arguments: endpointCases)
func stsEndpoint(c: EndpointCase) {
    let result = Result { () throws(UsageError) in
        try STSEndpoint.resolve(environment: EnvironmentLookup(c.env), profileEndpointURL: c.profile, region: c.region, profile: c.keys)
    }
    switch (result, c.expected) {
    case (.success(let e), let expected?):
        #expect(e.description == expected.url)
        #expect(e.signingRegion == expected.region)
        #expect(e.origin == expected.origin)
    case (.failure(let error), nil):
        #expect(!error.description.isEmpty)
    case (.success(let e), nil):
        Issue.record("accepted: \(e)")
    case (.failure(let error), _?):
        Issue.record("refused: \(error)")
    }
}

@Test("the Host authority omits the scheme's default port only", arguments: [
    ("https://h", "h"), ("https://h:443", "h"), ("https://h:80", "h:80"), ("http://h:80", "h"), ("http://h:443", "h:443"),
    ("http://[::1]:5000", "[::1]:5000"), ("https://[fd00::1]", "[fd00::1]"),
])
func stsEndpointAuthority(url: String, authority: String) throws {
    let e = try STSEndpoint.resolve(environment: EnvironmentLookup(["AWS_ENDPOINT_URL_STS=\(url)"]), profileEndpointURL: nil, region: nil)
    #expect(e.authority == authority)
}
