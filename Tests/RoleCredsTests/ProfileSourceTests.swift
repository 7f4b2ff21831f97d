import Testing
@testable import RoleCreds

/// `Settings.resolve` with a profile: the types the plan makes (`Settings.Source`, `AssumeRoleSettings`)
/// reach the settings whole, with their origins; a profile's Roles Anywhere keys go through the one reader
/// `--source roles-anywhere` uses; and the first mistake reported does not depend on the steps' layout.
@Suite struct ProfileSourceTests {
    static let config = "/home/u/.aws/config"
    static let role = "arn:aws:iam::111122223333:role/R"
    static let anchor = "arn:aws:rolesanywhere:eu-west-1:111122223333:trust-anchor/t"
    static let raProfile = "arn:aws:rolesanywhere:eu-west-1:111122223333:profile/p"
    static let rolesAnywhere = """
        [profile r]
        roles_anywhere_certificate = /c.pem
        roles_anywhere_private_key = /k.pem
        roles_anywhere_intermediates = /i.pem
        roles_anywhere_trust_anchor_arn = \(anchor)
        roles_anywhere_profile_arn = \(raProfile)
        roles_anywhere_role_arn = \(role)
        roles_anywhere_session_duration = 1800
        """

    static func resolve(_ config: String, _ env: [String] = [], _ edit: (inout Options) -> Void = { _ in }) throws(UsageError) -> Settings {
        let set: ProfileSet
        do {
            set = try ConfigFile.parse(configText: config, credentialsText: nil, configPath: Self.config,
                                       credentialsPath: "/home/u/.aws/credentials")
        } catch { throw UsageError(error.description) }
        var options = Options()
        options.command = ["cmd"]
        edit(&options)
        return try Settings.resolve(options, environment: EnvironmentLookup(env), profiles: set)
    }

    @Test func aProfilesRolesAnywhereKeysBecomeTheSettingsTheProviderTakes() throws {
        let settings = try Self.resolve(Self.rolesAnywhere, ["AWS_PROFILE=r", "AWS_ENDPOINT_URL_ROLESANYWHERE=http://127.0.0.1:9/",
                                                             "AWS_ROLE_ARN=arn:aws:iam::111122223333:role/NotThisOne"])
        guard case .rolesAnywhere(let r) = settings.source.value else {
            Issue.record("not Roles Anywhere: \(settings.source)")
            return
        }
        // The profile's role, not AWS_ROLE_ARN: only --source roles-anywhere reads the variable.
        #expect(r.roleArn == Self.role)
        #expect(r.certificate == "/c.pem" && r.privateKey == "/k.pem" && r.intermediates == "/i.pem")
        #expect(r.trustAnchorArn == Self.anchor && r.profileArn == Self.raProfile)
        #expect(r.durationSeconds == 1800 && r.sessionName == nil && r.region == "eu-west-1")
        #expect(r.endpoint.host == "127.0.0.1" && r.endpoint.origin == "AWS_ENDPOINT_URL_ROLESANYWHERE")
        #expect(settings.source.origin == .profile(key: "roles_anywhere_certificate", profile: "r", file: Self.config))
    }

    @Test func sourceRolesAnywhereTakesTheRoleFromTheVariableOverTheProfile() throws {
        let other = "arn:aws:iam::111122223333:role/FromVariable"
        let settings = try Self.resolve(Self.rolesAnywhere, ["AWS_PROFILE=r", "AWS_ROLE_ARN=\(other)"]) { $0.source = .rolesAnywhere }
        guard case .rolesAnywhere(let r) = settings.source.value else {
            Issue.record("not Roles Anywhere: \(settings.source)")
            return
        }
        #expect(r.roleArn == other && r.durationSeconds == 1800 && r.endpoint.host == "rolesanywhere.eu-west-1.amazonaws.com")
        #expect(settings.source.origin == .flag("--source"))
    }

    @Test func aProfilesWebIdentityAndRolesKeepTheirOrigins() throws {
        let settings = try Self.resolve("""
            [profile a]
            role_arn = \(Self.role)a
            source_profile = w
            external_id = ext-1
            [profile w]
            role_arn = \(Self.role)w
            web_identity_token_file = /var/run/token
            role_session_name = ci
            """, ["AWS_PROFILE=a", "AWS_ENDPOINT_URL_STS=http://127.0.0.1:9"]) { $0.durationSeconds = 1800 }
        #expect(settings.source.value == .webIdentity(WebIdentitySettings(roleArn: Self.role + "w", token: .file("/var/run/token"), sessionName: "ci")))
        #expect(settings.source.origin == .profile(key: "web_identity_token_file", profile: "w", file: Self.config))
        #expect(settings.hops == [AssumeRoleSettings(roleArn: Self.role + "a", externalId: "ext-1", durationSeconds: 1800,
                                                     origin: .profile(key: "role_arn", profile: "a", file: Self.config), profile: "a")])
        #expect(settings.sts?.origin == "AWS_ENDPOINT_URL_STS")
    }

    /// One bad value in each step: the profile's plan is reported first, then the metadata limits, the
    /// source, the role chain and the STS endpoint, whichever way the steps are laid out.
    @Test func theFirstMistakeIsTheEarliestStepsMistake() {
        let steps: [(config: String, env: [String], says: String)] = [
            ("[profile a]\nrole_arn = \(Self.role)\ncredential_source = Environment\nduration_seconds = 60", [], "duration_seconds of profile a"),
            ("", [], "AWS_METADATA_SERVICE_NUM_ATTEMPTS"),
            ("", [], "AWS_EC2_METADATA_V1_DISABLED"),
            ("", [], "AWS_ROLE_SESSION_NAME"),
            ("", [], "AWS_ENDPOINT_URL_STS"),
        ]
        let mistakes = ["AWS_METADATA_SERVICE_NUM_ATTEMPTS=0", "AWS_EC2_METADATA_V1_DISABLED=maybe",
                        "AWS_ROLE_SESSION_NAME=a b", "AWS_ENDPOINT_URL_STS=ftp://x"]
        for (index, step) in steps.enumerated() {
            // Every mistake from this step on is present; the earliest must be the one reported.
            let env = ["AWS_PROFILE=a", "AWS_ACCESS_KEY_ID=AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY=s"] + mistakes.dropFirst(max(0, index - 1))
            let config = index == 0 ? step.config : "[profile a]\nrole_arn = \(Self.role)\ncredential_source = Ec2InstanceMetadata"
            do {
                let settings = try Self.resolve(config, env) { $0.assumeRoleArn = Self.role }
                Issue.record("accepted at step \(index): \(settings.source)")
            } catch {
                #expect(error.description.contains(step.says), "step \(index): \(error)")
            }
        }
    }
}
