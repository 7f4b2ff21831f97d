import Testing
@testable import RoleCreds
#if canImport(Glibc)
import Glibc
#endif

// The same STS calls built and signed here and by botocore (botocore_sign.py: its query serializer and
// SigV4Auth at a fixed time, fake keys, no network): the form bodies, the Content-Type and the signing
// headers must be identical. Needs python3 with botocore (scripts/deps installs it).

struct BotocoreCase: Sendable, CustomTestStringConvertible {
    var name: String
    var call: STSCall
    var roleArn = "arn:aws:iam::123456789012:role/deploy"
    var sessionName = "with-role-creds-1717200000"
    var externalId: String?
    var duration: Int?
    var policy: String?
    var webIdentityToken = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.c2lnbmF0dXJlLV8"
    var endpointURL: String?
    var region: String?
    var keyId = "AKIAIOSFODNN7EXAMPLE"
    var secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    var token: String? = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+TOKEN=="
    var time: Int64 = 1_717_200_000
    var testDescription: String { name }
}

let botocoreCases: [BotocoreCase] = [
    BotocoreCase(name: "AssumeRole, global endpoint", call: .assumeRole),
    BotocoreCase(name: "AssumeRole, every option, regional", call: .assumeRole, sessionName: "ci+deploy=1,a.b@c-d_e",
                 externalId: "ext/id:42+=,.@-_", duration: 3600,
                 policy: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/a key*","Condition":{"StringLike":{"s3:prefix":["é ~!'()&=+%"]}}}]}"#,
                 region: "eu-west-1"),
    BotocoreCase(name: "AssumeRole, long-term keys", call: .assumeRole, region: "us-west-2", token: nil),
    BotocoreCase(name: "AssumeRole, custom endpoint with a port and a path", call: .assumeRole,
                 endpointURL: "http://127.0.0.1:5000/sts/", region: "ap-southeast-2", time: 1_700_000_123),
    BotocoreCase(name: "AssumeRole, China", call: .assumeRole, duration: 43_200, region: "cn-north-1", time: 4_102_444_799),
    BotocoreCase(name: "AssumeRoleWithWebIdentity", call: .assumeRoleWithWebIdentity, duration: 900,
                 policy: #"{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#, region: "us-east-2"),
]

private func parameters(_ c: BotocoreCase) throws -> AssumeRoleParameters {
    try AssumeRoleParameters(roleArn: c.roleArn, roleSessionName: c.sessionName, externalId: c.externalId,
                             durationSeconds: c.duration, policy: c.policy)
}

private func endpoint(_ c: BotocoreCase) throws -> STSEndpoint {
    try STSEndpoint.resolve(environment: EnvironmentLookup(c.endpointURL.map { ["AWS_ENDPOINT_URL_STS=\($0)"] } ?? []),
                            profileEndpointURL: nil, region: c.region)
}

/// What botocore made of every case, in order.
private func botocoreResults() async throws -> [JSON] {
    var input: [JSON] = []
    for c in botocoreCases {
        var params: [(String, JSON)] = [("RoleArn", .string(c.roleArn)), ("RoleSessionName", .string(c.sessionName))]
        if c.call == .assumeRoleWithWebIdentity { params.append(("WebIdentityToken", .string(c.webIdentityToken))) }
        // botocore serializes parameters in the order it is given them; the AWS CLI (`aws sts assume-role`)
        // gives them in the order of the STS model, and so do we.
        if let v = c.policy { params.append(("Policy", .string(v))) }
        if let v = c.duration { params.append(("DurationSeconds", .number(String(v)))) }
        if let v = c.externalId { params.append(("ExternalId", .string(v))) }
        input.append(.object([
            ("operation", .string(c.call.rawValue)), ("params", .object(params)),
            ("endpoint", .string(try endpoint(c).description)), ("region", .string(try endpoint(c).signingRegion)),
            ("access_key", .string(c.keyId)), ("secret_key", .string(c.secret)),
            ("token", c.token.map { .string($0) } ?? .null), ("time", .number(String(c.time))),
        ]))
    }
    var template = Array("/tmp/wrc-botocore-XXXXXX".utf8CString)
    let fd = mkstemp(&template)
    try #require(fd >= 0)
    let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    defer { unlink(path) }
    let text = Array(JSON.array(input).compactText.utf8)
    #expect(write(fd, text, text.count) == text.count)
    close(fd)
    let script = testsDirectory + "/botocore_sign.py"
    let command = "python3 '\(script)' '\(path)' 2>&1"
    // Python with botocore takes a while to start: on a thread of its own, not the test runner's.
    let (output, status) = await offThePool { () -> ([UInt8], Int32) in
        guard let pipe = popen(command, "r") else { return ([], -1) }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&buffer, 1, buffer.count, pipe)
            output += buffer[0..<n]
            if n < buffer.count { break }
        }
        return (output, pclose(pipe))
    }
    try #require(status == 0, "botocore_sign.py failed (python3 with botocore is needed; scripts/deps installs it): \(String(decoding: output, as: UTF8.self))")
    guard case .array(let results) = try JSON.parse(output), results.count == botocoreCases.count else {
        Issue.record("unexpected output from botocore_sign.py")
        return []
    }
    return results
}

@Test("STS requests: body, Content-Type and signature identical to botocore's", .timeLimit(.minutes(1)))
func stsRequestsMatchBotocore() async throws {
    let results = try await botocoreResults()
    for (c, expected) in zip(botocoreCases, results) {
        let p = try parameters(c)
        let e = try endpoint(c)
        let request: HTTPRequest
        switch c.call {
        case .assumeRole:
            let credentials = Credentials(accessKeyId: c.keyId, secretAccessKey: Secret(c.secret), sessionToken: Secret(c.token ?? ""),
                                          expiration: c.time + 3600)
            request = STSRequest.assumeRole(p, endpoint: e, credentials: credentials, time: c.time)
        case .assumeRoleWithWebIdentity:
            request = STSRequest.assumeRoleWithWebIdentity(p, token: Secret(c.webIdentityToken), endpoint: e)
        }
        #expect(request.method == "POST", "\(c.name)")
        #expect(request.path == e.path, "\(c.name)")
        #expect(expected["body"] == .string(String(decoding: request.body, as: UTF8.self)), "\(c.name): body")
        #expect(expected["content_type"] == .string(request.headers["Content-Type"] ?? ""), "\(c.name): Content-Type")
        for name in ["Authorization", "X-Amz-Date", "X-Amz-Security-Token"] {
            let ours: JSON = request.headers[name].map { .string($0) } ?? .null
            #expect(expected[name] ?? .null == ours, "\(c.name): \(name)")
        }
        if c.call == .assumeRole { #expect(request.headers["Authorization"] != nil, "\(c.name): signed") }
    }
}
