import Testing
@testable import RoleCreds

@Suite struct RolesAnywhereSettingsTests {
    static let anchor = "arn:aws:rolesanywhere:eu-west-1:111122223333:trust-anchor/t1"
    static let profile = "arn:aws:rolesanywhere:eu-west-1:111122223333:profile/p1"
    static let role = "arn:aws:iam::111122223333:role/r"

    static func make(_ env: [String] = [], anchor: String = anchor, profile: String = profile, role: String = role,
                     duration: Int? = nil) throws(UsageError) -> RolesAnywhereSettings {
        try RolesAnywhereSettings.make(certificate: "/c", privateKey: "/k", intermediates: nil, trustAnchorArn: anchor,
                                       profileArn: profile, roleArn: role, durationSeconds: duration, sessionName: nil,
                                       environment: EnvironmentLookup(env), what: "test")
    }

    @Test func endpointFollowsTheTrustAnchorsRegionUnlessOverridden() throws {
        #expect(try Self.make().endpoint.description == "https://rolesanywhere.eu-west-1.amazonaws.com/")
        #expect(try Self.make().durationSeconds == 3600)
        let cn = "arn:aws-cn:rolesanywhere:cn-north-1:111122223333:"
        #expect(try Self.make(anchor: cn + "trust-anchor/t", profile: cn + "profile/p").endpoint.host == "rolesanywhere.cn-north-1.amazonaws.com.cn")
        let local = try Self.make(["AWS_ENDPOINT_URL_ROLESANYWHERE=http://127.0.0.1:8443", "AWS_ENDPOINT_URL=http://127.0.0.1:1"])
        #expect(local.endpoint.description == "http://127.0.0.1:8443/" && local.endpoint.signingRegion == "eu-west-1")
        #expect(try Self.make(["AWS_ENDPOINT_URL=http://127.0.0.1:1"]).endpoint.port == 1)
        #expect(try Self.make(["AWS_ENDPOINT_URL_ROLESANYWHERE=http://127.0.0.1:1", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true"])
                .endpoint.host == "rolesanywhere.eu-west-1.amazonaws.com")
    }

    @Test(arguments: [
        (anchor, "arn:aws:rolesanywhere:us-east-1:111122223333:profile/p", role, "different regions"),
        ("arn:aws:iam::111122223333:role/r", profile, role, "trust anchor ARN"),
        (anchor, "arn:aws:rolesanywhere:eu-west-1:111122223333:trust-anchor/t", role, "profile ARN"),
        (anchor, profile, "arn:aws:iam::1:role/r", "role ARN"),
        (anchor, profile, "arn:aws:iam::111122223333:user/u", "role ARN"),
        ("arn:aws:rolesanywhere:EU:111122223333:trust-anchor/t", "arn:aws:rolesanywhere:EU:111122223333:profile/p", role, "region"),
    ])
    func refuses(_ anchor: String, _ profile: String, _ role: String, _ fragment: String) {
        #expect { try Self.make(anchor: anchor, profile: profile, role: role) } throws: { error in
            (error as? UsageError)?.description.contains(fragment) == true
        }
    }

    @Test func durationOutOfRangeIsRefused() {
        #expect(throws: UsageError.self) { try Self.make(duration: 899) }
        #expect(throws: UsageError.self) { try Self.make(duration: 43201) }
    }
}

@Suite struct CreateSessionTests {
    @Test func requestCarriesTheARNsInTheQueryAndTheDurationInTheBody() throws {
        let settings = try RolesAnywhereSettingsTests.make(duration: 900)
        let request = CreateSession.request(settings, basePath: "/base/")
        #expect(request.method == "POST")
        #expect(request.path == "/base/sessions?profileArn=arn%3Aaws%3Arolesanywhere%3Aeu-west-1%3A111122223333%3Aprofile%2Fp1"
                + "&roleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fr"
                + "&trustAnchorArn=arn%3Aaws%3Arolesanywhere%3Aeu-west-1%3A111122223333%3Atrust-anchor%2Ft1")
        #expect(request.body == Array("{\"durationSeconds\":900}".utf8))
        #expect(request.headers["Content-Type"] == "application/json")
    }

    @Test func decodesTheDocumentedAnswer() throws {
        let body = """
            {"credentialSet":[{"assumedRoleUser":{"arn":"arn:aws:sts::111122223333:assumed-role/r/s","assumedRoleId":"AROA:s"},
             "credentials":{"accessKeyId":"\(Fixture.keyId)","expiration":"\(Fixture.expirationText)",
             "secretAccessKey":"\(Fixture.secret)","sessionToken":"\(Fixture.token)"},
             "packedPolicySize":10,"roleArn":"arn:aws:iam::123456789012:role/r","sourceIdentity":"x"}],
             "subjectArn":"arn:aws:rolesanywhere:us-east-1:111122223333:subject/s"}
            """
        let c = try CreateSession.decode(status: 201, body: Array(body.utf8), now: Fixture.now)
        #expect(c == Credentials(accessKeyId: Fixture.keyId, secretAccessKey: Secret(Fixture.secret), sessionToken: Secret(Fixture.token),
                                 expiration: Fixture.expiration, accountId: "123456789012", roleArn: "arn:aws:iam::123456789012:role/r"))
    }

    @Test func errorsAreOneLineWithTheServicesMessage() {
        let body = Array("{\"message\":\"Untrusted signing certificate\"}".utf8)
        #expect { try CreateSession.decode(status: 403, body: body, now: Fixture.now) } throws: { error in
            let e = error as? CredentialError
            return e?.description == "IAM Roles Anywhere CreateSession answered 403: Untrusted signing certificate" && e?.isTransient == false
        }
        #expect { try CreateSession.decode(status: 503, body: [], now: Fixture.now) } throws: { ($0 as? CredentialError)?.isTransient == true }
        let noKeys = Array("{\"credentialSet\":[{\"credentials\":{\"accessKeyId\":\"A\",\"secretAccessKey\":\"\(Fixture.secret)\"}}]}".utf8)
        #expect { try CreateSession.decode(status: 201, body: noKeys, now: Fixture.now) } throws: { error in
            let text = (error as? CredentialError)?.description ?? ""
            return text.contains("no sessionToken") && !text.contains(Fixture.secret)
        }
    }
}
