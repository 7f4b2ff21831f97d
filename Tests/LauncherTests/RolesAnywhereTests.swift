import Foundation
import Glibc
import Testing
@testable import RoleCreds

/// A fake IAM Roles Anywhere on loopback (Fixtures/fake_rolesanywhere.py) that verifies each request's
/// X.509 signature with the certificate's public key: every request it got, as JSON lines.
final class FakeRolesAnywhere {
    let server: HelperServer
    var dir: TempDir { server.dir }
    var port: UInt16 { UInt16(server.ready)! }
    var url: String { "http://127.0.0.1:\(port)" }

    init(_ arguments: [String] = []) async throws {
        let script = Paths.root.appendingPathComponent("Tests/LauncherTests/Fixtures/fake_rolesanywhere.py").path
        server = try await HelperServer("fake Roles Anywhere", readyFile: "port") { dir in
            ["/usr/bin/env", "python3", script, "--port-file", dir.path("port"), "--log", dir.path("log")] + arguments
        }
    }

    /// Every request so far.
    func requests() -> [[String: Any]] {
        lines(dir.path("log")).compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }
}

/// IAM Roles Anywhere end to end (spec §9): certificates and keys made by Fixtures/make_pki.py, CreateSession
/// against the fake, which checks the signature. Every run also disables IMDS and names a refused STS.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct RolesAnywhereTests {
    static let anchor = "arn:aws:rolesanywhere:eu-west-1:111122223333:trust-anchor/0f1e2d3c"
    static let profile = "arn:aws:rolesanywhere:eu-west-1:111122223333:profile/4b5a6978"
    static let role = "arn:aws:iam::111122223333:role/on-prem"

    /// A PKI in a new directory: ca.pem, leaf.pem, leaf.key (and int.pem).
    static func pki(_ arguments: [String] = []) async throws -> TempDir {
        let dir = TempDir()
        try await runTool(["python3", Paths.root.appendingPathComponent("Tests/LauncherTests/Fixtures/make_pki.py").path,
                           "--dir", dir.path("")] + arguments)
        return dir
    }

    static func flags(_ pki: TempDir, certificate: String = "leaf.pem") -> [String] {
        ["--source", "roles-anywhere", "--certificate", pki.path(certificate), "--private-key", pki.path("leaf.key"),
         "--trust-anchor-arn", anchor, "--profile-arn", profile, "--role-arn", role]
    }

    static func environment(_ fake: FakeRolesAnywhere?) -> [String: String] {
        ["AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": "/nonexistent/config",
         "AWS_ENDPOINT_URL_ROLESANYWHERE": fake?.url ?? "http://127.0.0.1:9"]
    }

    /// Runs `env` under the launcher and checks what the fake and the command saw.
    func expectSignedSession(_ pkiArguments: [String], algorithm: String, extra: [String] = [], fakeArguments: [String] = []) async throws {
        let pki = try await Self.pki(pkiArguments + ["--serial", "987654321"])
        let fake = try await FakeRolesAnywhere(["--ca", pki.path("ca.pem")] + fakeArguments)
        let result = try await launch(Self.flags(pki) + extra + ["--", "env"], environment: Self.environment(fake))
        #expect(result.status == 0, "\(result.stderr)")
        let env = parseEnv(result.stdout)
        #expect(env["AWS_ACCESS_KEY_ID"] == ["ASIAFAKERA000000001"])
        #expect(env["AWS_SECRET_ACCESS_KEY"] == ["fakeRaSecret1/abcdefghijkl"])
        #expect(env["AWS_ACCOUNT_ID"] == ["111122223333"])
        let requests = fake.requests()
        #expect(requests.count == 1)
        let request = try #require(requests.first)
        #expect(request["verified"] as? Bool == true, "\(request["why"] ?? "")")
        #expect(request["query"] as? [String: String] == ["profileArn": Self.profile, "roleArn": Self.role, "trustAnchorArn": Self.anchor])
        let authorization = (request["headers"] as? [String: String])?["Authorization"] ?? ""
        #expect(authorization.hasPrefix("\(algorithm) Credential=987654321/"), "\(authorization)")
        #expect(authorization.contains("/eu-west-1/rolesanywhere/aws4_request, SignedHeaders="), "\(authorization)")
    }

    @Test func rsaPKCS8KeySignsTheSession() async throws {
        try await expectSignedSession(["--key", "rsa", "--format", "pkcs8"], algorithm: "AWS4-X509-RSA-SHA256")
    }

    @Test func rsaTraditionalKeySignsTheSession() async throws {
        try await expectSignedSession(["--key", "rsa", "--format", "traditional"], algorithm: "AWS4-X509-RSA-SHA256")
    }

    @Test func ecP256TraditionalKeySignsTheSession() async throws {
        try await expectSignedSession(["--key", "p256", "--format", "traditional"], algorithm: "AWS4-X509-ECDSA-SHA256")
    }

    @Test func ecP384PKCS8KeyWithIntermediatesSignsTheSession() async throws {
        // The fake accepts the leaf only through the intermediate sent in X-Amz-X509-Chain.
        let pki = try await Self.pki(["--key", "p384", "--intermediate"])
        let fake = try await FakeRolesAnywhere(["--ca", pki.path("ca.pem")])
        let result = try await launch(Self.flags(pki) + ["--intermediates", pki.path("int.pem"), "--", "true"], environment: Self.environment(fake))
        #expect(result.status == 0, "\(result.stderr)")
        let request = try #require(fake.requests().first)
        #expect(request["verified"] as? Bool == true, "\(request["why"] ?? "")")
        #expect((request["headers"] as? [String: String])?["X-Amz-X509-Chain"] != nil)
    }

    /// Served by the agent like any other source: two launches, one CreateSession, the same keys.
    @Test func theAgentServesRolesAnywhereWithOneSession() async throws {
        let pki = try await Self.pki()
        let fake = try await FakeRolesAnywhere(["--ca", pki.path("ca.pem")])
        let agent = try await AgentRun()
        let env = Self.environment(fake).merging(agent.environment) { $1 }
        let first = try await launch(Self.flags(pki) + ["--", "env"], environment: env)
        let second = try await launch(Self.flags(pki) + ["--", "env"], environment: env)
        #expect(first.status == 0 && second.status == 0, "\(first.stderr) \(second.stderr)")
        #expect(second.stderr.isEmpty, "\(second.stderr)")
        #expect(parseEnv(first.stdout)["AWS_ACCESS_KEY_ID"] == ["ASIAFAKERA000000001"])
        #expect(parseEnv(second.stdout)["AWS_ACCESS_KEY_ID"] == ["ASIAFAKERA000000001"])
        #expect(fake.requests().count == 1, "CreateSession calls: \(fake.requests().count)")
    }

    @Test func keyReadableByOthersIsRefusedBeforeAnyCall() async throws {
        let pki = try await Self.pki()
        chmod(pki.path("leaf.key"), 0o644)
        let fake = try await FakeRolesAnywhere()
        let result = try await launch(Self.flags(pki) + ["--", "true"], environment: Self.environment(fake))
        #expect(result.status == 125)
        #expect(result.stderrLines == ["with-role-creds: cannot use the private key file \(pki.path("leaf.key")): accessible by group or others (mode 0644); chmod 600 it"],
                "\(result.stderr)")
        #expect(fake.requests().isEmpty)
    }

    @Test func keyOfAnotherCertificateIsRefused() async throws {
        let pki = try await Self.pki(), other = try await Self.pki()
        let fake = try await FakeRolesAnywhere()
        let result = try await launch(Self.flags(pki, certificate: "../\(other.url.lastPathComponent)/leaf.pem") + ["--", "true"],
                                environment: Self.environment(fake))
        #expect(result.status == 125)
        #expect(result.stderrLines.count == 1 && result.stderr.contains("does not belong to the certificate"), "\(result.stderr)")
        #expect(fake.requests().isEmpty)
    }

    @Test func checkShowsTheCertificateNeverTheKeyAndWarnsOfItsExpiry() async throws {
        // Valid for 30 minutes, asked for a 1 h session: one warning.
        let pki = try await Self.pki(["--serial", "123456789", "--valid-seconds", "1800"])
        let fake = try await FakeRolesAnywhere()
        let result = try await launch(Self.flags(pki) + ["--check"], environment: Self.environment(fake))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("certificate subject = O=Example Corp,CN=host.example"), "\(result.stdout)")
        #expect(result.stdout.contains("certificate serial = 123456789"))
        #expect(result.stdout.contains("certificate not after = "))
        let warnings = result.stderrLines.filter { $0.contains("expires at") }
        #expect(warnings.count == 1 && warnings[0].contains("before a 1h session would end"), "\(result.stderr)")
        let keyLines = try String(contentsOfFile: pki.path("leaf.key"), encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("-----") }
        #expect(!keyLines.contains { result.stdout.contains($0) || result.stderr.contains($0) })
    }

    @Test func profileKeysWork() async throws {
        let pki = try await Self.pki(["--key", "p256"])
        let fake = try await FakeRolesAnywhere(["--ca", pki.path("ca.pem")])
        try """
            [profile onprem]
            roles_anywhere_certificate = \(pki.path("leaf.pem"))
            roles_anywhere_private_key = \(pki.path("leaf.key"))
            roles_anywhere_trust_anchor_arn = \(Self.anchor)
            roles_anywhere_profile_arn = \(Self.profile)
            roles_anywhere_role_arn = \(Self.role)
            roles_anywhere_session_duration = 900
            """.write(toFile: pki.path("config"), atomically: true, encoding: .utf8)
        var env = Self.environment(fake)
        env["AWS_CONFIG_FILE"] = pki.path("config")
        env["AWS_PROFILE"] = "onprem"
        let result = try await launch(["--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID"], environment: env)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "ASIAFAKERA000000001\n")
        let request = try #require(fake.requests().first)
        #expect(request["verified"] as? Bool == true)
        #expect(request["body"] as? String == "{\"durationSeconds\":900}")
    }

    @Test func plainHTTPToAFarHostIsRefused() async throws {
        let pki = try await Self.pki()
        var env = Self.environment(nil)
        env["AWS_ENDPOINT_URL_ROLESANYWHERE"] = "http://rolesanywhere.example.com"
        // In a network namespace of its own: were the rule broken, the name's lookup could leave no machine.
        let result = try await Running("/usr/bin/unshare", ["--net", Paths.launcher] + Self.flags(pki) + ["--", "true"],
                                 environment: baseEnvironment().merging(env) { $1 }).wait()
        #expect(result.status == 125)
        #expect(result.stderrLines.count == 1 && result.stderr.contains("plain http to a host that is not loopback"), "\(result.stderr)")
    }

    @Test func badInputsAreOneLine() async throws {
        let pki = try await Self.pki()
        let cases: [([String], String)] = [
            (["--source", "roles-anywhere", "--certificate", pki.path("leaf.pem")], "--source roles-anywhere needs --private-key"),
            (Self.flags(pki).map { $0 == Self.profile ? "arn:aws:rolesanywhere:us-east-1:111122223333:profile/x" : $0 }, "different regions"),
            (Self.flags(pki).map { $0 == Self.anchor ? "not-an-arn" : $0 }, "is not one (arn:aws:rolesanywhere:REGION:ACCOUNT:trust-anchor/ID)"),
            (["--certificate", pki.path("leaf.pem")], "need --source roles-anywhere"),
            (Self.flags(pki) + ["--session-duration", "5m"], "--session-duration must be whole seconds from 15m to 12h"),
        ]
        for (arguments, expected) in cases {
            let result = try await launch(arguments + ["--", "true"], environment: Self.environment(nil))
            #expect(result.status == 125 && result.stderrLines.count == 1 && result.stderr.contains(expected), "\(arguments): \(result.stderr)")
        }
    }

    @Test func restartRotationCreatesANewSession() async throws {
        let pki = try await Self.pki(["--key", "p256"])
        let fake = try await FakeRolesAnywhere(["--ca", pki.path("ca.pem"), "--lifetime", "62"])
        let dir = TempDir()
        let keys = dir.path("keys")
        let run = try Running(Paths.launcher, ["-q", "--on-rotate", "restart", "--refresh-before", "58s"] + Self.flags(pki)
                              + ["--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID >> \(keys); exec sleep 60"],
                              environment: baseEnvironment().merging(Self.environment(fake)) { $1 })
        #expect(await eventually(timeout: 30) { lines(keys).count >= 2 }, "keys: \(lines(keys))")
        kill(run.pid, SIGTERM)
        _ = await run.wait()
        #expect(Array(lines(keys).prefix(2)) == ["ASIAFAKERA000000001", "ASIAFAKERA000000002"])
        #expect(fake.requests().allSatisfy { $0["verified"] as? Bool == true })
    }
}
