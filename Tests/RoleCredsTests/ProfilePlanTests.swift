import Testing
@testable import RoleCreds

private func profiles(config: String? = nil, credentials: String? = nil) throws -> ProfileSet {
    try ConfigFile.parse(configText: config, credentialsText: credentials,
                         configPath: "/home/u/.aws/config", credentialsPath: "/home/u/.aws/credentials")
}

private func plan(_ name: String, config: String? = nil, credentials: String? = nil) throws -> ProfilePlan {
    try ProfilePlan.resolve(try profiles(config: config, credentials: credentials), profile: name)
}

/// Asserts that planning fails with `code` and a message containing every fragment.
private func expectRefused(_ name: String, config: String? = nil, credentials: String? = nil,
                           _ code: SettingsError.Code, _ fragments: String...,
                           sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        let result = try plan(name, config: config, credentials: credentials)
        Issue.record("accepted: \(result)", sourceLocation: sourceLocation)
    } catch let error as SettingsError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(error.description.contains(fragment), "\(error)", sourceLocation: sourceLocation)
        }
    } catch {
        Issue.record("\(error)", sourceLocation: sourceLocation)
    }
}

private func keys(_ id: String, _ secret: String, token: String? = nil, profile: String) -> ProfilePlan.Base {
    .source(.staticKeys(StaticKeys(accessKeyId: id, secretAccessKey: Secret(secret), sessionToken: token.map(Secret.init), profile: profile)),
            profile: profile)
}

private func hop(_ arn: String, _ profile: String, session: String? = nil, externalId: String? = nil, duration: Int? = nil) -> AssumeRoleSettings {
    AssumeRoleSettings(roleArn: arn, sessionName: session, externalId: externalId, durationSeconds: duration,
                       origin: .profile(key: "role_arn", profile: profile, file: "/home/u/.aws/config"), profile: profile)
}

private func webIdentity(_ arn: String, file: String, session: String?, profile: String) -> ProfilePlan.Base {
    .source(.webIdentity(WebIdentitySettings(roleArn: arn, token: .file(file), sessionName: session)), profile: profile)
}

private func process(_ command: String, profile: String) -> ProfilePlan.Base {
    .source(.process(ProcessSettings(commandLine: command, profile: profile)), profile: profile)
}

private let roleA = "arn:aws:iam::123456789012:role/A"
private let roleB = "arn:aws:iam::123456789012:role/B"

@Suite("ProfilePlan.resolve")
struct ProfilePlanTests {
    @Test func roleFromStaticKeysOfTheCredentialsFile() throws {
        let result = try plan("dev", config: "[profile dev]\nrole_arn = \(roleA)\nsource_profile = base\nrole_session_name = me\nexternal_id = ext\nduration_seconds = 3600",
                              credentials: "[base]\naws_access_key_id = AKIAEXAMPLE000000001\naws_secret_access_key = s3cr3t\naws_session_token = tok")
        #expect(result == .chain(base: keys("AKIAEXAMPLE000000001", "s3cr3t", token: "tok", profile: "base"),
                                 hops: [hop(roleA, "dev", session: "me", externalId: "ext", duration: 3600)]))
    }

    @Test func chainsOfAnyDepthRunFromTheBaseOutwards() throws {
        let result = try plan("a", config: """
            [profile a]
            role_arn = \(roleA)
            source_profile = b
            [profile b]
            role_arn = \(roleB)
            source_profile = c
            [profile c]
            role_arn = arn:aws:iam::123456789012:role/C
            source_profile = d
            [profile d]
            credential_source = Ec2InstanceMetadata
            """)
        // d has no role_arn: its credential_source is the base; c's role is assumed first.
        #expect(result == .chain(base: .credentialSource(.ec2InstanceMetadata, profile: "d"),
                                 hops: [hop("arn:aws:iam::123456789012:role/C", "c"), hop(roleB, "b"), hop(roleA, "a")]))
    }

    @Test func theSelectedProfilesOwnKeysAreIgnoredWhenItNamesAnother() throws {
        let result = try plan("a", config: "[profile a]\nrole_arn = \(roleA)\nsource_profile = b\naws_access_key_id = AKIAIGNORED\naws_secret_access_key = x",
                              credentials: "[b]\naws_access_key_id = AKIAB\naws_secret_access_key = y")
        #expect(result == .chain(base: keys("AKIAB", "y", profile: "b"), hops: [hop(roleA, "a")]))
    }

    @Test func aSourceProfilesStaticKeysWinOverItsOwnRole() throws {
        // botocore and the Rust SDK: static keys of a source profile take precedence over its role_arn.
        let result = try plan("a", config: """
            [profile a]
            role_arn = \(roleA)
            source_profile = b
            [profile b]
            role_arn = \(roleB)
            source_profile = c
            aws_access_key_id = AKIAB
            aws_secret_access_key = y
            [profile c]
            aws_access_key_id = AKIAC
            aws_secret_access_key = z
            """)
        #expect(result == .chain(base: keys("AKIAB", "y", profile: "b"), hops: [hop(roleA, "a")]))
    }

    @Test func aSourceProfileWithHalfAKeyPairFollowsItsRole() throws {
        let result = try plan("a", config: "[profile a]\nrole_arn = \(roleA)\nsource_profile = b\n[profile b]\nrole_arn = \(roleB)\ncredential_source = Environment\naws_access_key_id = AKIAB")
        #expect(result == .chain(base: .credentialSource(.environment, profile: "b"), hops: [hop(roleB, "b"), hop(roleA, "a")]))
    }

    @Test func aProfileMayUseItsOwnKeysForItsOwnRole() throws {
        let result = try plan("a", config: "[profile a]\nrole_arn = \(roleA)\nsource_profile = a",
                              credentials: "[a]\naws_access_key_id = AKIAA\naws_secret_access_key = x")
        #expect(result == .chain(base: keys("AKIAA", "x", profile: "a"), hops: [hop(roleA, "a")]))
    }

    @Test func cyclesAreFoundAndNamedWithTheirPath() {
        expectRefused("a", config: "[profile a]\nrole_arn = \(roleA)\nsource_profile = b\n[profile b]\nrole_arn = \(roleB)\nsource_profile = a",
                      .cycle, "source_profile cycle: a -> b -> a")
        expectRefused("a", config: """
            [profile a]
            role_arn = \(roleA)
            source_profile = b
            [profile b]
            role_arn = \(roleB)
            source_profile = c
            [profile c]
            role_arn = \(roleB)
            source_profile = b
            """, .cycle, "a -> b -> c -> b")
        // Naming itself without keys of its own is a cycle too.
        expectRefused("a", config: "[profile a]\nrole_arn = \(roleA)\nsource_profile = a", .cycle, "a -> a")
        expectRefused("a", config: "[profile a]\nrole_arn = \(roleA)\nsource_profile = b\n[profile b]\nrole_arn = \(roleB)\nsource_profile = b",
                      .cycle, "a -> b -> b")
    }

    @Test func sourceAndCredentialSourceExcludeEachOther() {
        expectRefused("a", config: "[profile a]\nrole_arn = \(roleA)\nsource_profile = b\ncredential_source = Environment\n[profile b]\naws_access_key_id = k\naws_secret_access_key = s",
                      .invalid, "profile 'a'", "both source_profile and credential_source")
        expectRefused("a", config: "[profile a]\nrole_arn = \(roleA)", .invalid, "profile 'a'", "neither source_profile nor credential_source")
    }

    @Test(arguments: [("Ec2InstanceMetadata", NamedSource.ec2InstanceMetadata), ("EcsContainer", .ecsContainer),
                      ("Environment", .environment)])
    func credentialSourcesAreMatchedExactly(text: String, source: NamedSource) throws {
        #expect(try plan("a", config: "[profile a]\nrole_arn = \(roleA)\ncredential_source = \(text)")
                == .chain(base: .credentialSource(source, profile: "a"), hops: [hop(roleA, "a")]))
    }

    /// botocore and the Go SDK v2 compare the names exactly: another spelling is an error,
    /// not a fall-back.
    @Test(arguments: ["ecscontainer", "ENVIRONMENT", "ec2instancemetadata", "Ec2Instancemetadata"])
    func otherSpellingsOfACredentialSourceAreRefused(text: String) {
        expectRefused("a", config: "[profile a]\nrole_arn = \(roleA)\ncredential_source = \(text)",
                      .invalid, "profile 'a'", "spelled exactly")
    }

    @Test func anUnknownCredentialSourceIsRefused() {
        expectRefused("a", config: "[profile a]\nrole_arn = \(roleA)\ncredential_source = Ec2", .invalid, "profile 'a'", "'Ec2'", "Ec2InstanceMetadata")
    }

    @Test func webIdentityIsABaseNotAHop() throws {
        #expect(try plan("w", config: "[profile w]\nrole_arn = \(roleA)\nweb_identity_token_file = /var/run/token\nrole_session_name = ci")
                == .chain(base: webIdentity(roleA, file: "/var/run/token", session: "ci", profile: "w"), hops: []))
        #expect(try plan("a", config: "[profile a]\nrole_arn = \(roleB)\nsource_profile = w\n[profile w]\nrole_arn = \(roleA)\nweb_identity_token_file = /t")
                == .chain(base: webIdentity(roleA, file: "/t", session: nil, profile: "w"), hops: [hop(roleB, "a")]))
        expectRefused("w", config: "[profile w]\nweb_identity_token_file = /t", .invalid, "profile 'w'", "no role_arn")
    }

    @Test func ssoIsNotSupported() {
        expectRefused("s", config: "[profile s]\nsso_start_url = https://x.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 1\nsso_role_name = r",
                      .unsupported, "profile 's'", "SSO", "not support")
        expectRefused("s", config: "[profile s]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = r\n[sso-session corp]\nsso_start_url = https://x",
                      .unsupported, "profile 's'", "sso_session")
        expectRefused("a", config: "[profile a]\nrole_arn = \(roleA)\nsource_profile = s\n[profile s]\nsso_session = corp",
                      .unsupported, "profile 's'")
    }

    @Test func credentialProcessAndRolesAnywhereAreBases() throws {
        #expect(try plan("p", config: "[profile p]\ncredential_process = /opt/bin/creds --secret hunter2")
                == .chain(base: process("/opt/bin/creds --secret hunter2", profile: "p"), hops: []))
        #expect(try plan("a", config: "[profile a]\nrole_arn = \(roleA)\nsource_profile = p\n[profile p]\ncredential_process = /bin/creds")
                == .chain(base: process("/bin/creds", profile: "p"), hops: [hop(roleA, "a")]))
        let ra = """
            [profile r]
            roles_anywhere_certificate = /c.pem
            roles_anywhere_private_key = /k.pem
            roles_anywhere_trust_anchor_arn = arn:aws:rolesanywhere:eu-west-1:111122223333:trust-anchor/t
            roles_anywhere_profile_arn = arn:aws:rolesanywhere:eu-west-1:111122223333:profile/p
            roles_anywhere_role_arn = \(roleB)
            roles_anywhere_session_duration = 1800
            """
        // The values are read by `Settings` (ProfileSourceTests): the endpoint may come from the environment.
        #expect(try plan("r", config: ra) == .chain(base: .rolesAnywhere(profile: "r"), hops: []))
        expectRefused("r", config: "[profile r]\nroles_anywhere_certificate = /c.pem", .invalid, "profile 'r'", "no roles_anywhere_private_key")
        expectRefused("r", config: ra.split(separator: "\n").map { $0.hasPrefix("roles_anywhere_session") ? "roles_anywhere_session_duration = 60" : String($0) }.joined(separator: "\n"), .invalid, "roles_anywhere_session_duration")
    }

    @Test(arguments: ["899", "43201", "1h", "-900", "3600.5", "0x384", "९००"])
    func durationOutsideFifteenMinutesToTwelveHoursIsRefused(text: String) {
        expectRefused("a", config: "[profile a]\nrole_arn = \(roleA)\ncredential_source = Environment\nduration_seconds = \(text)",
                      .invalid, "duration_seconds of profile a in /home/u/.aws/config", "900 to 43200")
    }

    @Test(arguments: [900, 43200])
    func durationLimitsAreAccepted(seconds: Int) throws {
        #expect(try plan("a", config: "[profile a]\nrole_arn = \(roleA)\ncredential_source = Environment\nduration_seconds = \(seconds)")
                == .chain(base: .credentialSource(.environment, profile: "a"), hops: [hop(roleA, "a", duration: seconds)]))
    }

    @Test func aMissingSourceProfileNamesItAndTheFiles() {
        expectRefused("a", config: "[profile a]\nrole_arn = \(roleA)\nsource_profile = nope", .missingProfile,
                      "'nope'", "source_profile of 'a'", "/home/u/.aws/config", "/home/u/.aws/credentials")
    }

    @Test func aSourceProfileWithoutCredentialsIsRefused() {
        expectRefused("a", config: "[profile a]\nrole_arn = \(roleA)\nsource_profile = b\n[profile b]\nregion = eu-west-1",
                      .invalid, "profile 'b'", "no credentials")
        expectRefused("a", config: "[profile a]\nrole_arn = \(roleA)\nsource_profile = b", credentials: "[b]\naws_access_key_id = AKIAB",
                      .invalid, "profile 'b'", "no aws_secret_access_key")
        expectRefused("a", config: "[profile a]\nrole_arn = \(roleA)\nsource_profile = b", credentials: "[b]\naws_secret_access_key = s",
                      .invalid, "profile 'b'", "no aws_access_key_id")
    }

    @Test func aRoleArnMustBeAnARN() {
        expectRefused("a", config: "[profile a]\nrole_arn = my-role\ncredential_source = Environment", .invalid, "role_arn of profile a in", "not a role ARN")
    }

    @Test func profilesWithoutCredentialSettingsPlanNothing() throws {
        #expect(try plan("default", config: "[default]\nregion = eu-west-1") == ProfilePlan.none)
        #expect(try plan("default") == ProfilePlan.none)
        #expect(try plan("absent", config: "[profile other]\nregion = x") == ProfilePlan.none)
    }

    @Test func staticKeysAloneArePlannedAsAChainWithoutHops() throws {
        #expect(try plan("default", credentials: "[default]\naws_access_key_id = AKIAD\naws_secret_access_key = s")
                == .chain(base: keys("AKIAD", "s", profile: "default"), hops: []))
        expectRefused("default", credentials: "[default]\naws_session_token = t", .invalid, "no aws_access_key_id")
    }

    @Test func plansAndProfilesPrintNoSecret() throws {
        let secret = "SECRETvalue0123456789abcdef", token = "TOKENvalue0123456789abcdef"
        let set = try profiles(config: "[profile a]\nrole_arn = \(roleA)\nsource_profile = b\n[profile p]\ncredential_process = /bin/x \(secret)",
                               credentials: "[b]\naws_access_key_id = AKIAHOLDERTEST123456\naws_secret_access_key = \(secret)\naws_session_token = \(token)")
        let result = try ProfilePlan.resolve(set, profile: "a")
        guard case .chain(let base, _) = result else { Issue.record("\(result)"); return }
        for value in [result as Any, base, set, set.profile("b")!, set.profile("b")!["aws_secret_access_key"]!, set.profile("p")!] {
            var dumped = ""
            dump(value, to: &dumped)
            for text in ["\(value)", String(reflecting: value), dumped] {
                #expect(!text.contains(secret) && !text.contains(token), "printed a secret: \(text)")
                #expect(!text.contains("/bin/x"), "printed credential_process: \(text)")
                #expect(!text.contains("AKIAHOLDERTEST123456"), "printed the whole key id: \(text)")
            }
        }
        do {
            _ = try ProfilePlan.resolve(set, profile: "p")
        } catch {
            #expect(!"\(error)".contains(secret), "\(error)")
        }
    }
}
