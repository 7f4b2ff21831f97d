import Testing
@testable import RoleCreds

/// `TrustStore.choose` against a made-up file system.
@Suite("TrustStore.choose")
struct TrustStoreTests {
    static let debian = "/etc/ssl/certs/ca-certificates.crt"
    static let rhel = "/etc/pki/tls/certs/ca-bundle.crt"
    static let rhel7 = "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem"
    static let suse = "/etc/ssl/ca-bundle.pem"
    static let alpine = "/etc/ssl/cert.pem"

    private func choose(_ env: [String], files: Set<String>, dirs: Set<String> = [], profile: String? = nil) throws(TransportError) -> TrustStore {
        try TrustStore.choose(environment: EnvironmentLookup(env), profileCABundle: profile,
                              fileExists: { files.contains($0) }, directoryExists: { dirs.contains($0) })
    }

    @Test("each distribution's bundle is found", arguments: [
        ([debian, alpine], debian),     // Debian also ships /etc/ssl/cert.pem on some images: its own bundle wins
        ([rhel, rhel7], rhel),          // RHEL, Amazon Linux
        ([rhel7], rhel7),               // a RHEL 7+ layout without the compatibility link
        ([suse], suse),
        ([alpine], alpine),
    ] as [([String], String)])
    func distributionBundles(_ present: [String], _ expected: String) throws {
        #expect(try choose([], files: Set(present), dirs: ["/etc/ssl/certs"]) == TrustStore(files: [expected], directories: []))
    }

    @Test("a hashed directory is used only when no bundle exists")
    func directoryFallback() throws {
        #expect(try choose([], files: [], dirs: ["/etc/ssl/certs", "/etc/pki/tls/certs"])
                == TrustStore(files: [], directories: ["/etc/ssl/certs", "/etc/pki/tls/certs"]))
    }

    @Test("SSL_CERT_FILE and SSL_CERT_DIR take precedence over the probe")
    func opensslVariables() throws {
        #expect(try choose(["SSL_CERT_FILE=/my/ca.pem"], files: [Self.debian, "/my/ca.pem"], dirs: ["/etc/ssl/certs"])
                == TrustStore(files: ["/my/ca.pem"], directories: []))
        #expect(try choose(["SSL_CERT_DIR=/my/certs:/more"], files: [Self.debian], dirs: ["/my/certs", "/more", "/etc/ssl/certs"])
                == TrustStore(files: [Self.debian], directories: ["/my/certs", "/more"]))
        // Empty counts as unset, as everywhere in the SDKs.
        #expect(try choose(["SSL_CERT_FILE="], files: [Self.debian]) == TrustStore(files: [Self.debian], directories: []))
    }

    @Test("AWS_CA_BUNDLE is added to the system trust; it beats the profile's ca_bundle")
    func awsCABundle() throws {
        #expect(try choose(["AWS_CA_BUNDLE=/corp/ca.pem"], files: [Self.debian, "/corp/ca.pem"])
                == TrustStore(files: [Self.debian, "/corp/ca.pem"], directories: []))
        #expect(try choose([], files: [Self.rhel, "/p/ca.pem"], profile: "/p/ca.pem")
                == TrustStore(files: [Self.rhel, "/p/ca.pem"], directories: []))
        #expect(try choose(["AWS_CA_BUNDLE=/corp/ca.pem"], files: [Self.rhel, "/corp/ca.pem", "/p/ca.pem"], profile: "/p/ca.pem")
                == TrustStore(files: [Self.rhel, "/corp/ca.pem"], directories: []))
        // With no system bundle at all, the private CA alone is the trust.
        #expect(try choose(["AWS_CA_BUNDLE=/corp/ca.pem"], files: ["/corp/ca.pem"])
                == TrustStore(files: ["/corp/ca.pem"], directories: []))
    }

    @Test("a named path that does not exist is an error that names the variable", arguments: [
        (["AWS_CA_BUNDLE=/missing.pem"], nil, "AWS_CA_BUNDLE /missing.pem: no such file"),
        ([], "/missing.pem", "the profile's ca_bundle /missing.pem: no such file"),
        (["SSL_CERT_FILE=/missing.pem"], nil, "SSL_CERT_FILE /missing.pem: no such file"),
        (["SSL_CERT_DIR=/etc/ssl/certs:/nodir"], nil, "SSL_CERT_DIR /nodir: no such directory"),
    ] as [([String], String?, String)])
    func missingPaths(_ env: [String], _ profile: String?, _ message: String) {
        #expect(throws: TransportError(.trustStore, message)) {
            try choose(env, files: [Self.debian], dirs: ["/etc/ssl/certs"], profile: profile)
        }
    }

    @Test("no CA certificates anywhere is a clear error with advice")
    func nothingFound() {
        do {
            _ = try choose([], files: [], dirs: [])
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .trustStore)
            #expect(error.message.hasPrefix("no CA certificates found"))
            #expect(error.message.contains("SSL_CERT_FILE or AWS_CA_BUNDLE"))
        }
    }
}
