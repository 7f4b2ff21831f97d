#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import RoleCreds

private let set = try! ConfigFile.parse(
    configText: "[default]\nregion = us-east-1\n[profile dev]\nRegion = eu-west-1\nec2_metadata_service_endpoint = http://[fd00:ec2::254]\nendpoint_url =\nca_bundle = /etc/ca.pem",
    credentialsText: "[dev]\nmetadata_service_timeout = 5\n[only-creds]\naws_access_key_id = AKIAX\naws_secret_access_key = s",
    configPath: "/h/.aws/config", credentialsPath: "/h/.aws/credentials")

@Suite("ProfileSelection")
struct ProfileSelectionTests {
    @Test(arguments: [
        (nil, ["AWS_PROFILE=p", "AWS_DEFAULT_PROFILE=d"], "p", ProfileSelection.Origin.awsProfile),
        ("f", ["AWS_PROFILE=p", "AWS_DEFAULT_PROFILE=d"], "f", .flag),
        (nil, ["AWS_DEFAULT_PROFILE=d"], "d", .awsDefaultProfile),
        (nil, ["AWS_PROFILE=", "AWS_DEFAULT_PROFILE=d"], "d", .awsDefaultProfile),
        (nil, [], "default", .default),
    ] as [(String?, [String], String, ProfileSelection.Origin)])
    func precedence(flag: String?, env: [String], name: String, origin: ProfileSelection.Origin) {
        #expect(ProfileSelection.choose(flag: flag, environment: EnvironmentLookup(env)) == ProfileSelection(name: name, origin: origin))
    }

    @Test func aNamedProfileTheFilesLackIsAnErrorNamingProfileAndFiles() {
        for (selection, origin) in [(ProfileSelection(name: "prod", origin: .flag), "--profile"),
                                    (ProfileSelection(name: "prod", origin: .awsProfile), "AWS_PROFILE"),
                                    (ProfileSelection(name: "default", origin: .awsDefaultProfile), "AWS_DEFAULT_PROFILE")] {
            do {
                let profile = try selection.profile(in: ConfigFile.parse(configText: "[profile dev]", credentialsText: nil,
                                                                         configPath: "/h/.aws/config", credentialsPath: "/h/.aws/credentials"))
                Issue.record("accepted: \(String(describing: profile))")
            } catch {
                #expect(error.code == .missingProfile)
                for fragment in ["'\(selection.name)'", origin, "/h/.aws/config", "/h/.aws/credentials"] {
                    #expect(error.description.contains(fragment), "\(error)")
                }
            }
        }
    }

    @Test func anAbsentImplicitDefaultIsFine() throws {
        #expect(try ProfileSelection(name: "default", origin: .default).profile(in: ProfileSet()) == nil)
        #expect(try ProfileSelection(name: "only-creds", origin: .awsProfile).profile(in: set)?.name == "only-creds")
    }
}

@Suite("ProfileSettings")
struct ProfileSettingsTests {
    @Test func valuesComeWithTheirFileAndKeysAreLowerCased() throws {
        let dev = ProfileSettings(profile: set.profile("dev"), in: set)
        #expect(dev.region == ProfileValue(value: "eu-west-1", key: "region", profile: "dev", path: "/h/.aws/config"))
        #expect(dev.region?.origin == "profile dev in /h/.aws/config")
        #expect(dev.ec2MetadataServiceEndpoint?.value == "http://[fd00:ec2::254]")
        #expect(dev.metadataServiceTimeout == ProfileValue(value: "5", key: "metadata_service_timeout", profile: "dev", path: "/h/.aws/credentials"))
        #expect(dev.caBundle?.value == "/etc/ca.pem")
        #expect(dev.endpointURL == nil, "an empty value is unset")
        #expect(dev.ec2MetadataServiceEndpointMode == nil && dev.ec2MetadataV1Disabled == nil && dev.metadataServiceNumAttempts == nil)
        #expect(dev["Region"] == nil, "lookups use the stored lower-case key")
        #expect(ProfileSettings(profile: set.profile("default"), in: set).region?.value == "us-east-1")
        #expect(ProfileSettings(profile: nil, in: set).region == nil)
    }

    @Test func subPropertiesAreReadable() throws {
        let s = try ConfigFile.parse(configText: "[profile a]\ns3 =\n  max_concurrent_requests = 20\n  addressing_style=path\nregion = x", credentialsText: nil)
        let props = s.profile("a")?["s3"]?.subProperties ?? []
        #expect(props.map(\.name) == ["max_concurrent_requests", "addressing_style"])
        #expect(props.map(\.value) == ["20", "path"])
        #expect(s.profile("a")?.properties.map(\.name) == ["s3", "region"])
    }

    @Test func servicesSectionsAreParsedAside() throws {
        let s = try ConfigFile.parse(configText: "[services dev-s3]\ns3 =\n  endpoint_url = http://localhost:4566\n[profile a]\nservices = dev-s3", credentialsText: nil)
        #expect(s.otherSections["services"]?.first?.name == "dev-s3")
        #expect(s.otherSections["services"]?.first?["s3"]?.subProperties.first?.value == "http://localhost:4566")
        #expect(s.profiles.map(\.name) == ["a"])
    }
}

@Suite("ConfigFileLocation")
struct ConfigFileLocationTests {
    @Test(arguments: [
        (["HOME=/home/u"], "/home/u/.aws/config", "/home/u/.aws/credentials"),
        (["HOME=/home/u/"], "/home/u/.aws/config", "/home/u/.aws/credentials"),
        (["HOME=/home/u", "AWS_CONFIG_FILE=~/cfg", "AWS_SHARED_CREDENTIALS_FILE=~"], "/home/u/cfg", "/home/u"),
        (["HOME=/home/u", "AWS_CONFIG_FILE=~other/cfg"], "~other/cfg", "/home/u/.aws/credentials"),
        (["AWS_CONFIG_FILE=~/cfg", "AWS_SHARED_CREDENTIALS_FILE=/c"], "~/cfg", "/c"),
        (["HOME=", "AWS_CONFIG_FILE=relative/cfg"], "relative/cfg", nil),
        ([], nil, nil),
    ] as [([String], String?, String?)])
    func paths(env: [String], config: String?, credentials: String?) {
        #expect(ConfigFileLocation.resolve(environment: EnvironmentLookup(env))
                == ConfigFileLocation(configPath: config, credentialsPath: credentials))
    }
}

/// A fresh directory under /tmp, removed by `cleanUp`.
private struct TempDir {
    let path: String
    init() throws {
        var template = Array("/tmp/profiles-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw Errno.current }
        path = String(cString: made)
    }
    func write(_ name: String, _ text: String) {
        let fd = open(path + "/" + name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        precondition(fd >= 0)
        let bytes = Array(text.utf8)
        precondition(bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) } == bytes.count)
        close(fd)
    }
    func cleanUp() {
        _ = system("rm -rf '\(path)'")
    }
}

@Suite("ConfigFileLocation.load", .serialized)
struct ConfigFileLoadTests {
    private func expectUnreadable(_ location: ConfigFileLocation, limit: Int = ConfigFileLocation.sizeLimit,
                                  _ fragments: String..., sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let set = try location.load(limit: limit)
            Issue.record("loaded \(set.profiles.map(\.name))", sourceLocation: sourceLocation)
        } catch {
            #expect(error.code == .unreadable, sourceLocation: sourceLocation)
            for fragment in fragments { #expect(error.description.contains(fragment), "\(error)", sourceLocation: sourceLocation) }
            #expect(!error.description.contains("\n"), sourceLocation: sourceLocation)
        }
    }

    @Test func bothFilesAreReadAndMerged() throws {
        let dir = try TempDir()
        defer { dir.cleanUp() }
        dir.write("config", "[profile a]\nrole_arn = arn:aws:iam::111122223333:role/A\nsource_profile = b\r\n")
        dir.write("credentials", "[b]\naws_access_key_id = AKIAB\naws_secret_access_key = s\n")
        let env = EnvironmentLookup(["HOME=\(dir.path)", "AWS_CONFIG_FILE=~/config", "AWS_SHARED_CREDENTIALS_FILE=\(dir.path)/credentials"])
        let set = try ConfigFileLocation.resolve(environment: env).load()
        #expect(set.profiles.map(\.name) == ["a", "b"])
        #expect(set.configPath == "\(dir.path)/config")
        #expect(try ProfilePlan.resolve(set, profile: "a").description == "static keys ***** (profile b) -> arn:aws:iam::111122223333:role/A (profile a)")
    }

    @Test func absentFilesAreEmpty() throws {
        let dir = try TempDir()
        defer { dir.cleanUp() }
        let set = try ConfigFileLocation.resolve(environment: EnvironmentLookup(["HOME=\(dir.path)"])).load()
        #expect(set.profiles.isEmpty)
        #expect(set.configPath == "\(dir.path)/.aws/config")
        // A path through a regular file (ENOTDIR) cannot exist either.
        dir.write("file", "")
        #expect(try ConfigFileLocation(configPath: "\(dir.path)/file/config", credentialsPath: nil).load().profiles.isEmpty)
        #expect(try ConfigFileLocation(configPath: nil, credentialsPath: nil).load().profiles.isEmpty)
    }

    @Test func unreadableFilesAreOneLineErrorsNamingThem() throws {
        let dir = try TempDir()
        defer { dir.cleanUp() }
        // A symlink loop fails open with ELOOP, whoever runs the test (root reads through any mode).
        symlink("\(dir.path)/loop", "\(dir.path)/loop")
        expectUnreadable(ConfigFileLocation(configPath: "\(dir.path)/loop", credentialsPath: nil), "config file", "\(dir.path)/loop")
        if geteuid() != 0 {
            dir.write("secret", "[default]\n")
            chmod("\(dir.path)/secret", 0)
            expectUnreadable(ConfigFileLocation(configPath: nil, credentialsPath: "\(dir.path)/secret"), "credentials file", "ermission denied")
        }
    }

    /// A path that is not a regular file reads as empty, as botocore skips it: `/dev/null` is
    /// how a CI job keeps a machine's `~/.aws` out; a directory or a FIFO is skipped the same way, with a note.
    @Test func aPathThatIsNotARegularFileReadsAsEmptyWithANote() throws {
        let dir = try TempDir()
        defer { dir.cleanUp() }
        let set = try ConfigFileLocation(configPath: "/dev/null", credentialsPath: dir.path).load()
        #expect(set.profiles.isEmpty)
        #expect(set.notices == ["the config file /dev/null is not a regular file; read as empty",
                                "the credentials file \(dir.path) is not a regular file; read as empty"])
        dir.write("config", "[default]\nregion = eu-west-1\n")
        let credentialsOnly = try ConfigFileLocation(configPath: "\(dir.path)/config", credentialsPath: "/dev/null").load()
        #expect(credentialsOnly.profile("default")?.value("region") == "eu-west-1")
        #expect(credentialsOnly.notices.count == 1)
    }

    @Test(.timeLimit(.minutes(1))) func aFIFODoesNotHang() async throws {
        let dir = try TempDir()
        defer { dir.cleanUp() }
        let fifo = "\(dir.path)/fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        // No writer opens it, so a blocking open(2) would wait forever (fifo(7)). So that a regression fails
        // instead of hanging the run, a watchdog opens the writing end after a while — which only succeeds,
        // and only unblocks the reader, if the reader is still stuck in open.
        let watchdog = Task.detached { () -> Bool in
            try? await Task.sleep(for: .seconds(10))
            if Task.isCancelled { return false }
            let fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
            if fd >= 0 { close(fd) }
            return fd >= 0
        }
        let set = try ConfigFileLocation(configPath: fifo, credentialsPath: nil).load()
        #expect(set.profiles.isEmpty && set.notices.count == 1 && set.notices[0].contains(fifo))
        watchdog.cancel()
        #expect(await watchdog.value == false, "reading the FIFO blocked until a writer opened it")
    }

    @Test func tooLargeFilesAreRefused() throws {
        let dir = try TempDir()
        defer { dir.cleanUp() }
        dir.write("big", "[default]\n" + String(repeating: "#", count: ConfigFileLocation.sizeLimit))
        expectUnreadable(ConfigFileLocation(configPath: "\(dir.path)/big", credentialsPath: nil), "\(dir.path)/big", "larger than 1024 KiB")
        dir.write("small", String(repeating: "#", count: 100))
        #expect(try ConfigFileLocation(configPath: "\(dir.path)/small", credentialsPath: nil).load(limit: 100).profiles.isEmpty)
        expectUnreadable(ConfigFileLocation(configPath: "\(dir.path)/small", credentialsPath: nil), limit: 99, "larger than")
    }

    @Test func syntaxErrorsNameTheFileAndLine() throws {
        let dir = try TempDir()
        defer { dir.cleanUp() }
        dir.write("credentials", "[b]\naws_secret_access_key = s3cr3t\n\naws_access_key_id AKIA\n")
        do {
            _ = try ConfigFileLocation(configPath: nil, credentialsPath: "\(dir.path)/credentials").load()
            Issue.record("accepted")
        } catch {
            #expect(error.code == .syntax)
            #expect(error.description == "\(dir.path)/credentials, line 4: Expected an '=' sign defining a property")
        }
    }
}
