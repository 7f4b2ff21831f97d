#if canImport(Glibc)
import Glibc
#endif
import COpenSSL

/// The client side of TLS over the operating system's OpenSSL: TLS 1.2 or newer, the peer's chain
/// verified against a `TrustStore`, its name (or IP address) checked. OpenSSL is initialised by the
/// first context, so the plain-http metadata path never runs any of it.
public final class TLSContext: @unchecked Sendable {
    // SSL_CTX is internally locked for the read-only use made of it after set-up (ssl(7) threads).
    let context: OpaquePointer
    /// Where the trusted CA certificates were loaded from.
    public let trust: TrustStore

    /// A context trusting exactly `trust`; a file that cannot be read or holds no certificate is an error.
    public init(trust: TrustStore) throws(TransportError) {
        _ = TLSLibrary.initialized
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw TransportError(.configuration, "cannot create a TLS context: \(openSSLReason(ERR_get_error()) ?? "out of memory")")
        }
        self.context = context
        self.trust = trust
        guard cssl_ctx_require_tls12(context) == 1 else {
            throw TransportError(.configuration, "cannot require TLS 1.2: \(openSSLReason(ERR_get_error()) ?? "unknown reason")")
        }
        cssl_ctx_set_safe_options(context)
        SSL_CTX_set_verify(context, cssl_verify_peer(), nil)
        for file in trust.files { try Self.load(bundle: file, into: context) }
        for directory in trust.directories {
            // Only registers the directory: certificates are looked up by subject hash during verification.
            _ = SSL_CTX_load_verify_locations(context, nil, directory)
        }
        ERR_clear_error()
    }

    deinit { SSL_CTX_free(context) }

    /// The largest CA bundle read: the biggest real ones (every CA of every distribution, with
    /// comments) are under 1 MiB; a bigger file is a mistake, and each context would hold all of it.
    public static let bundleLimit = 16 * 1024 * 1024

    /// Reads `file` once, without blocking (a FIFO, a device or a directory is refused before any
    /// read) and within `bundleLimit`, then hands its certificates to the context's store.
    private static func load(bundle file: String, into context: OpaquePointer) throws(TransportError) {
        let bytes: [UInt8]
        do { bytes = try readRequiredFile(file, limit: bundleLimit) } catch {
            switch error {
            case .notRegularFile: throw TransportError(.trustStore, "the CA bundle \(file) is \(notRegularFileReason(file) ?? "not a regular file")")
            case .tooLarge: throw TransportError(.trustStore, "the CA bundle \(file) is larger than 16 MiB; name a bundle of CA certificates only")
            case .system(let errno): throw TransportError(.trustStore, "cannot read the CA bundle \(file): \(errno)")
            case .tooOpen: throw TransportError(.trustStore, "cannot read the CA bundle \(file): \(error)")   // not asked for here
            }
        }
        ERR_clear_error()
        let count = bytes.withUnsafeBytes { cssl_ctx_add_pem_bundle(context, $0.baseAddress, Int32($0.count)) }
        guard count > 0 else {
            let reason = openSSLReason(ERR_get_error()) ?? "no certificate found"
            ERR_clear_error()
            throw TransportError(.trustStore, "cannot load CA certificates from \(file) (\(reason))")
        }
    }

    /// A context over the system trust store (`TrustStore.choose` with the real file system) plus
    /// `AWS_CA_BUNDLE` or the profile's `ca_bundle`.
    public static func system(environment: EnvironmentLookup = .current(), profileCABundle: String? = nil) throws(TransportError) -> TLSContext {
        let trust = try TrustStore.choose(environment: environment, profileCABundle: profileCABundle,
                                          fileExists: { notRegularFileReason($0) == nil }, directoryExists: { isDirectory($0) },
                                          whyNotAFile: { notRegularFileReason($0) ?? "not a regular file" })
        return try TLSContext(trust: trust)
    }

    private static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }
}

/// OpenSSL's one-time initialisation, run by the first `TLSContext` and never at start-up.
enum TLSLibrary {
    static let initialized: Bool = cssl_init() == 1
}

/// The reason text of an OpenSSL error code (`ERR_get_error`), or nil for none.
func openSSLReason(_ code: UInt) -> String? {
    guard code != 0 else { return nil }
    if let text = cssl_error_reason(code) { return String(cString: text) }
    var buffer = [CChar](repeating: 0, count: 256)
    ERR_error_string_n(code, &buffer, buffer.count)
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
