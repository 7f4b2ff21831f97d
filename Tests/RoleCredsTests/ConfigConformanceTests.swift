import Testing
@testable import RoleCreds

// The SDKs' shared test data (`Conformance/`, a copy of `../shared/conformance/`; see its SOURCES.md), run
// case by case.
//
// Skipped cases, with the reason:
// - file-location-tests.json: the 5 cases with `"platform": "windows"` (home from USERPROFILE or
//   HOMEDRIVE+HOMEPATH, backslash paths). This tool runs on Linux only; the Linux cases check that
//   USERPROFILE/HOMEDRIVE/HOMEPATH are ignored there.
// - imds-endpoint-tests.json, through `Settings.resolve` (the launcher's own path, the profile a layer of
//   its own): the 2 cases with `mode_override` are skipped, as this tool has no option that overrides the
//   mode. One case is adapted: "explicit endpoint override" expects `https://custom` to be used; this tool
//   speaks plain http to IMDS (spec §2), so the test checks that the explicit endpoint wins over the
//   profile's mode and is then refused as https, naming the flag.
// - ecs-tests.json: none skipped; error texts are our own (each names the variable).
// - profile-parser-tests.json: none skipped.

/// Reads a conformance file. Missing data fails the test, never skips it.
func conformanceData(_ name: String, filePath: String = #filePath) throws -> JSON {
    // A copy of ../shared/conformance (unchanged; its SOURCES.md names the upstream commit), so a clone
    // tests on its own wherever it is.
    var parts = filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast() // <file>.swift
    let path = parts.joined(separator: "/") + "/Conformance/" + name
    guard let bytes = try readSmallFile(path, limit: 4 * 1024 * 1024) else {
        throw ConformanceError("conformance data \(path) is missing")
    }
    return try JSON.parse(bytes)
}

struct ConformanceError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension JSON {
    var string: String? { if case .string(let s) = self { return s } else { return nil } }
    var array: [JSON] { if case .array(let a) = self { return a } else { return [] } }
    var members: [(String, JSON)] { if case .object(let m) = self { return m } else { return [] } }
    /// An object of string members as a dictionary.
    var stringMap: [String: String] {
        Dictionary(members.compactMap { k, v in v.string.map { (k, $0) } }, uniquingKeysWith: { $1 })
    }
}

/// Sections as the test data writes them: name → key → value.
private func table(_ sections: [Profile]) -> [String: [String: String]] {
    Dictionary(sections.map { section in
        (section.name, Dictionary(section.properties.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 }))
    }, uniquingKeysWith: { $1 })
}

private func table(_ json: JSON?) -> [String: [String: String]] {
    Dictionary((json?.members ?? []).map { ($0.0, $0.1.stringMap) }, uniquingKeysWith: { $1 })
}

@Suite("SDK conformance: profile files")
struct ProfileParserConformanceTests {
    @Test func everyParserCase() throws {
        let cases = try conformanceData("profile-parser-tests.json")["tests"]?.array ?? []
        #expect(cases.count == 65, "the test data changed: \(cases.count) cases")
        var passed = 0
        for test in cases {
            let name = test["name"]?.string ?? "?"
            let input = test["input"]
            let result = Result { () throws(SettingsError) -> ProfileSet in
                try ConfigFile.parse(configText: input?["configFile"]?.string, credentialsText: input?["credentialsFile"]?.string)
            }
            let output = test["output"]
            if let fragment = output?["errorContaining"]?.string {
                switch result {
                case .success(let set): Issue.record("\(name): parsed as \(table(set.profiles)), expected an error containing '\(fragment)'")
                case .failure(let error):
                    #expect(error.code == .syntax, "\(name)")
                    if error.description.contains(fragment) { passed += 1 } else { Issue.record("\(name): \(error)") }
                }
                continue
            }
            guard case .success(let set) = result else {
                Issue.record("\(name): \(result)")
                continue
            }
            let expected = output?["config"]
            var ok = table(set.profiles) == table(expected?["profiles"])
            #expect(table(set.profiles) == table(expected?["profiles"]), "\(name)")
            if let sessions = expected?["sso_sessions"] {
                ok = ok && table(set.ssoSessions) == table(sessions)
                #expect(table(set.ssoSessions) == table(sessions), "\(name): sso-sessions")
            }
            if ok { passed += 1 }
        }
        #expect(passed == cases.count)
    }
}

@Suite("SDK conformance: file locations")
struct FileLocationConformanceTests {
    @Test func everyLinuxCase() throws {
        let cases = try conformanceData("file-location-tests.json")["tests"]?.array ?? []
        #expect(cases.count == 9, "the test data changed: \(cases.count) cases")
        var ran = 0, skipped = 0
        for test in cases {
            let name = test["name"]?.string ?? "?"
            guard test["platform"]?.string == "linux" else {
                skipped += 1 // Windows home-directory rules; see the note at the top of this file.
                continue
            }
            let env = EnvironmentLookup(test["environment"]?.members.compactMap { k, v in v.string.map { "\(k)=\($0)" } } ?? [])
            let location = ConfigFileLocation.resolve(environment: env)
            #expect(location.configPath == test["configLocation"]?.string, "\(name)")
            #expect(location.credentialsPath == test["credentialsLocation"]?.string, "\(name)")
            if let profile = test["profile"]?.string {
                #expect(ProfileSelection.choose(flag: nil, environment: env).name == profile, "\(name)")
            }
            ran += 1
        }
        #expect(ran == 4 && skipped == 5)
    }
}

@Suite("SDK conformance: IMDS endpoint")
struct IMDSEndpointConformanceTests {
    /// The data through `Settings.resolve`, as the launcher resolves it: the endpoint, and which layer
    /// chose it. Skipped: the 2 cases with a `mode_override` (an SDK builder setting the tool has no
    /// option for). An https `endpoint_override` is adapted: the flag wins and https is refused for IMDS.
    @Test func everyEndpointCaseAsTheLauncherResolvesIt() throws {
        let cases = try conformanceData("imds-endpoint-tests.json")["tests"]?.array ?? []
        #expect(cases.count == 14, "the test data changed: \(cases.count) cases")
        var (ran, skipped) = (0, 0)
        for test in cases {
            let name = test["docs"]?.string ?? "?"
            if test["mode_override"] != nil { skipped += 1; continue }
            let env = EnvironmentLookup(test["env"]?.members.compactMap { k, v in v.string.map { "\(k)=\($0)" } } ?? [])
            let files = test["fs"]?.stringMap ?? [:]
            let set = try ConfigFile.parse(configText: env["AWS_CONFIG_FILE"].flatMap { files[$0] }, credentialsText: nil, configPath: "config")
            var options = Options()
            options.command = ["true"]
            options.imdsEndpoint = test["endpoint_override"]?.string
            let resolved = Result { () throws(UsageError) -> Settings in try Settings.resolve(options, environment: env, profiles: set) }
            ran += 1
            if let expected = test["result"]?["Ok"]?.string {
                if options.imdsEndpoint?.hasPrefix("https://") == true {
                    guard case .failure(let error) = resolved else { Issue.record("\(name): \(resolved)"); continue }
                    #expect(error.description.hasPrefix("--imds-endpoint: https"), "\(name): \(error)")
                    continue
                }
                guard case .success(let settings) = resolved, case .imds(let config) = settings.source.value else {
                    Issue.record("\(name): \(resolved)"); continue
                }
                #expect(config.endpoint.with(path: "/latest/api/token").description == expected, "\(name)")
                // The layer named is the one the test data set.
                let fromProfile = files.values.contains { $0.contains("ec2_metadata_service_endpoint") }
                let fromVariable = env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] != nil || env["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"] != nil
                switch settings.imdsEndpointOrigin {
                case .environment?: #expect(fromVariable, "\(name)")
                case .profile(_, "default", "config")?: #expect(fromProfile && !fromVariable, "\(name)")
                case .defaultValue?: #expect(!fromProfile && !fromVariable, "\(name)")
                case let other: Issue.record("\(name): origin \(String(describing: other))")
                }
            } else if test["result"]?["Err"]?.string != nil {
                guard case .failure(let error) = resolved else { Issue.record("\(name): accepted \(resolved)"); continue }
                let named = ["AWS_EC2_METADATA_SERVICE_ENDPOINT", "ec2_metadata_service_endpoint_mode of profile default in config"]
                #expect(named.contains { error.description.hasPrefix($0) }, "\(name): \(error)")
            } else {
                Issue.record("\(name): no expected result")
            }
        }
        #expect(ran == 12 && skipped == 2)
    }
}

@Suite("SDK conformance: container endpoint")
struct ContainerEndpointConformanceTests {
    /// `ecs-tests.json` through `ContainerConfig.resolve`, as the launcher resolves the container source.
    @Test func everyContainerCase() throws {
        let cases = try conformanceData("ecs-tests.json")["tests"]?.array ?? []
        #expect(cases.count == 11, "the test data changed: \(cases.count) cases")
        var ran = 0
        for test in cases {
            let name = test["docs"]?.string ?? "?"
            let env = EnvironmentLookup(test["env"]?.members.compactMap { k, v in v.string.map { "\(k)=\($0)" } } ?? [])
            let resolved = Result { () throws(UsageError) -> ContainerConfig in
                try ContainerConfig.resolve(env, timeoutMillis: 1000, attempts: 3)
            }
            ran += 1
            if let expected = test["result"]?["Ok"]?.string {
                guard case .success(let config) = resolved else { Issue.record("\(name): \(resolved)"); continue }
                #expect(config.url.description == expected, "\(name)")
            } else if test["result"]?["ErrorContains"]?.string != nil {
                guard case .failure(let error) = resolved else { Issue.record("\(name): accepted \(resolved)"); continue }
                #expect(error.description.contains("AWS_CONTAINER_CREDENTIALS"), "\(name): \(error)")
            } else {
                Issue.record("\(name): no expected result")
            }
        }
        #expect(ran == 11)
    }
}
