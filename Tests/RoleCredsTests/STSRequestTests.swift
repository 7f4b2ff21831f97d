import Testing
@testable import RoleCreds

private let arn = "arn:aws:iam::123456789012:role/deploy"

@Test("session names: 2 to 64 of [\\w+=,.@-]", arguments: [
    ("ab", true), (String(repeating: "a", count: 64), true), ("A_z0+=,.@-", true), ("with-role-creds-1717200000", true),
    ("a", false), (String(repeating: "a", count: 65), false), ("a b", false), ("a/b", false), ("a:b", false), ("é1", false), ("", false),
])
func sessionNames(name: String, ok: Bool) {
    #expect(((try? IAMValues.checkSessionName(name, from: "RoleSessionName")) != nil) == ok)
}

@Test("external ids: 2 to 1224 of [\\w+=,.@:/-]", arguments: [
    ("ab", true), (String(repeating: "x", count: 1224), true), ("urn:a/b+=,.@-_", true),
    ("a", false), (String(repeating: "x", count: 1225), false), ("a b", false), ("a\"b", false), ("a\nb", false),
])
func externalIds(id: String, ok: Bool) {
    #expect(((try? IAMValues.checkExternalId(id, from: "ExternalId")) != nil) == ok)
}

@Test("external id errors do not quote the id")
func externalIdNotQuoted() {
    #expect(throws: UsageError("ExternalId must be 2 to 1224 letters, digits and _+=,.@:/-")) { try IAMValues.checkExternalId("sh ared", from: "ExternalId") }
}

@Test("durations: 15m to 12h", arguments: [(900, true), (43_200, true), (3600, true), (899, false), (43_201, false), (0, false), (-1, false)])
func durations(seconds: Int, ok: Bool) {
    #expect(((try? IAMValues.checkDuration(seconds, from: "DurationSeconds")) != nil) == ok)
}

@Test("role ARNs", arguments: [
    (arn, true), ("arn:aws-cn:iam::123456789012:role/a/b/c", true),
    ("role/deploy", false), ("arn:aws:iam::1:r", false), ("arn:aws:iam::123456789012:role/\u{1}x", false),
    ("arn:" + String(repeating: "x", count: 2045), false),
])
func roleArns(text: String, ok: Bool) {
    #expect(((try? IAMValues.checkRoleArn(text, from: "RoleArn")) != nil) == ok)
}

@Test("AssumeRoleParameters refuses each bad value with a usage error naming it", arguments: [
    ("role/x", "s1", nil, nil, nil, "RoleArn"),
    (arn, "s", nil, nil, nil, "RoleSessionName: 's'"),
    (arn, "s1", "x", nil, nil, "ExternalId must"),
    (arn, "s1", nil, 60, nil, "DurationSeconds must be whole seconds from 900 to 43200"),
    (arn, "s1", nil, nil, "", "session policy"),
    (arn, "s1", nil, nil, String(repeating: " ", count: 2049), "session policy"),
] as [(String, String, String?, Int?, String?, String)])
func parametersRefused(roleArn: String, session: String, externalId: String?, duration: Int?, policy: String?, says: String) {
    do {
        _ = try AssumeRoleParameters(roleArn: roleArn, roleSessionName: session, externalId: externalId, durationSeconds: duration, policy: policy)
        Issue.record("accepted")
    } catch {
        #expect(error.description.contains(says), "\(error)")
    }
}

@Test("form bodies, as botocore encodes them")
func formBodies() throws {
    #expect(STSRequest.formEncode([("a b", "c+d/é~_.-*"), ("e", "")]) == "a+b=c%2Bd%2F%C3%A9~_.-%2A&e=")
    let minimal = try AssumeRoleParameters(roleArn: arn, roleSessionName: STSRequest.defaultSessionName(now: 1_717_200_000))
    #expect(String(decoding: STSRequest.assumeRoleBody(minimal), as: UTF8.self)
            == "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdeploy&RoleSessionName=with-role-creds-1717200000")
    let full = try AssumeRoleParameters(roleArn: arn, roleSessionName: "s1", externalId: "e1", durationSeconds: 900, policy: "{}")
    #expect(String(decoding: STSRequest.assumeRoleBody(full), as: UTF8.self).hasSuffix("&RoleSessionName=s1&Policy=%7B%7D&DurationSeconds=900&ExternalId=e1"))
    let web = String(decoding: STSRequest.assumeRoleWithWebIdentityBody(full, token: Secret("a.b-c_d")), as: UTF8.self)
    #expect(web == "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdeploy&RoleSessionName=s1&WebIdentityToken=a.b-c_d&Policy=%7B%7D&DurationSeconds=900")
}

@Test("web identity requests are unsigned; AssumeRole requests are signed for the endpoint's region")
func requestSigning() throws {
    let p = try AssumeRoleParameters(roleArn: arn, roleSessionName: "s1")
    let endpoint = try STSEndpoint.resolve(environment: EnvironmentLookup([]), profileEndpointURL: nil, region: "eu-west-3")
    let web = STSRequest.assumeRoleWithWebIdentity(p, token: Secret("tok"), endpoint: endpoint)
    #expect(web.headers["Authorization"] == nil && web.headers["X-Amz-Date"] == nil)
    let signed = STSRequest.assumeRole(p, endpoint: endpoint, credentials: Fixture.credentials, time: Fixture.now)
    #expect(signed.headers["Authorization"]?.contains("Credential=\(Fixture.keyId)/20240601/eu-west-3/sts/aws4_request") == true)
    #expect(signed.headers["X-Amz-Security-Token"] == Fixture.token)
    #expect(signed.headers["Content-Type"] == STSRequest.contentType)
}
