/// Where the CA certificates that TLS trusts come from, decided without touching OpenSSL.
///
/// OpenSSL's compiled-in default paths are not used: a static binary built on Debian would look for
/// Debian's bundle on RHEL. Instead the usual bundle locations of each distribution are probed, as
/// Go's crypto/x509 and the AWS CLI's bundled Python do.
public struct TrustStore: Equatable, Sendable {
    /// PEM bundles to load, in order.
    public var files: [String]
    /// Hashed certificate directories (`c_rehash` layout) to look up issuers in.
    public var directories: [String]

    /// A store of exactly these files and directories.
    public init(files: [String], directories: [String]) { self.files = files; self.directories = directories }

    /// The CA bundle files of Debian/Ubuntu, RHEL/Fedora (old and new layout), Amazon Linux, SUSE and Alpine.
    public static let bundleCandidates = [
        "/etc/ssl/certs/ca-certificates.crt",                // Debian, Ubuntu, Gentoo, Arch
        "/etc/pki/tls/certs/ca-bundle.crt",                  // RHEL, Fedora, Amazon Linux
        "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", // RHEL 7+, CentOS
        "/etc/ssl/ca-bundle.pem",                            // SUSE
        "/etc/ssl/cert.pem",                                 // Alpine
    ]

    /// Hashed certificate directories, used only when no bundle file is found.
    public static let directoryCandidates = ["/etc/ssl/certs", "/etc/pki/tls/certs"]

    /// Chooses the trust sources.
    ///
    /// - `SSL_CERT_FILE` replaces the bundle probe, `SSL_CERT_DIR` (colon-separated) the directory probe;
    ///   a variable that names a missing path is an error, not a silent fallback.
    /// - Without `SSL_CERT_DIR`, directories are probed only when no bundle file was found (a bundle
    ///   already holds the system's CAs).
    /// - `AWS_CA_BUNDLE`, else `profileCABundle` (the profile's `ca_bundle`), is added to the system
    ///   trust as the AWS SDKs do; it must exist.
    /// `whyNotAFile` words what a named path is instead of a file ("a FIFO, not a regular file").
    public static func choose(environment: EnvironmentLookup, profileCABundle: String? = nil,
                              fileExists: (String) -> Bool, directoryExists: (String) -> Bool,
                              whyNotAFile: (String) -> String = { _ in "no such file" }) throws(TransportError) -> TrustStore {
        var files: [String] = []
        var directories: [String] = []
        if let file = environment["SSL_CERT_FILE"] {
            guard fileExists(file) else { throw TransportError(.trustStore, "SSL_CERT_FILE \(file): \(whyNotAFile(file))") }
            files.append(file)
        } else if let found = bundleCandidates.first(where: fileExists) {
            files.append(found)
        }
        if let dirs = environment["SSL_CERT_DIR"] {
            for dir in dirs.split(separator: ":").map(String.init) {
                guard directoryExists(dir) else { throw TransportError(.trustStore, "SSL_CERT_DIR \(dir): no such directory") }
                directories.append(dir)
            }
        } else if files.isEmpty {
            directories = directoryCandidates.filter(directoryExists)
        }
        let extra: (origin: String, path: String)? = environment["AWS_CA_BUNDLE"].map { ("AWS_CA_BUNDLE", $0) }
            ?? profileCABundle.flatMap { $0.isEmpty ? nil : ("the profile's ca_bundle", $0) }
        if let extra {
            guard fileExists(extra.path) else { throw TransportError(.trustStore, "\(extra.origin) \(extra.path): \(whyNotAFile(extra.path))") }
            if !files.contains(extra.path) { files.append(extra.path) }
        }
        guard !files.isEmpty || !directories.isEmpty else {
            throw TransportError(.trustStore, "no CA certificates found (looked for \(bundleCandidates.joined(separator: ", ")) and \(directoryCandidates.joined(separator: ", "))); install ca-certificates or set SSL_CERT_FILE or AWS_CA_BUNDLE")
        }
        return TrustStore(files: files, directories: directories)
    }
}
